using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;

namespace TaskGraph.Core.ReadModels;

/// <summary>
/// Turns one committed change into read-model rows. History (task_sequence, claim_sequence) is derived here from the
/// sequence of revisions, never written beside the state, so it cannot disagree with it. The caller owns the transaction.
/// </summary>
internal sealed class ChangeProjector(SqliteConnection db)
{
    /// <summary>Applies a change; returns false when the key is not one the read model projects.</summary>
    public bool Apply(RecordChange change)
    {
        var key = change.Key;
        // When the change was made (the writer's clock in the record), else when the store committed it (older records).
        var ts = RecordJson.ChangedAtOf(change.Value) ?? change.Timestamp.ToUnixTimeMilliseconds();
        if (key.StartsWith(RecordKeys.TaskPrefix, StringComparison.Ordinal))
        {
            var id = RecordKeys.Decode(key[RecordKeys.TaskPrefix.Length..]);
            if (change.Kind == ChangeKind.Put)
            {
                PutTask(RecordJson.Deserialize<TaskRecord>(change.Value), change.Value, change.Position, ts);
            }
            else
            {
                DeleteTask(id);
            }

            return true;
        }

        if (key.StartsWith(RecordKeys.WorkerPrefix, StringComparison.Ordinal))
        {
            var id = RecordKeys.Decode(key[RecordKeys.WorkerPrefix.Length..]);
            if (change.Kind == ChangeKind.Put)
            {
                PutWorker(RecordJson.Deserialize<WorkerRecord>(change.Value), change.Value);
            }
            else
            {
                SqlCommands.Execute(db, "DELETE FROM workers WHERE id = $id", ("$id", id));
            }

            return true;
        }

        if (key.StartsWith(RecordKeys.MarkPrefix, StringComparison.Ordinal))
        {
            var path = RecordKeys.Decode(key[RecordKeys.MarkPrefix.Length..]);
            if (change.Kind == ChangeKind.Put)
            {
                PutMark(RecordJson.Deserialize<MarkRecord>(change.Value), path, change.Position, ts);
            }
            else
            {
                DeleteMark(path, change.Position, ts);
            }

            return true;
        }

        if (key.StartsWith(RecordKeys.AttachmentPrefix, StringComparison.Ordinal))
        {
            RemoveAttachmentText(key);
            if (change.Kind == ChangeKind.Put)
            {
                PutAttachmentText(key, RecordJson.Deserialize<AttachmentContent>(change.Value));
            }

            return true;
        }

        if (key == RecordKeys.Dependencies)
        {
            var graph = change.Kind == ChangeKind.Put ? RecordJson.Deserialize<DependencyChangeRecord>(change.Value) : new DependencyChangeRecord { Edges = [] };
            if (graph.IsSnapshot)
            {
                ReplaceDependencies(graph.Edges ?? []);
            }
            else
            {
                ChangeDependencies(graph.Removed ?? [], graph.Added ?? []);
            }

            return true;
        }

        return false;
    }

    // Attachment text is searchable (search with include_attachments). The content record names the task it was written
    // for; a search also checks that the task still lists the content, so content of a refused attach is never a hit.
    private void PutAttachmentText(string key, AttachmentContent content)
    {
        SqlCommands.Execute(db, "INSERT INTO attachment_text (content_key, task_id) VALUES ($key, $task)", ("$key", key), ("$task", content.TaskId));
        SqlCommands.Execute(
            db,
            "INSERT INTO attachments_fts (rowid, title, description, content) VALUES (last_insert_rowid(), '', '', $content)",
            ("$content", content.Content));
    }

    private void RemoveAttachmentText(string key)
    {
        SqlCommands.Execute(db, "DELETE FROM attachments_fts WHERE rowid = (SELECT rowid FROM attachment_text WHERE content_key = $key)", ("$key", key));
        SqlCommands.Execute(db, "DELETE FROM attachment_text WHERE content_key = $key", ("$key", key));
    }

    private void PutTask(TaskRecord task, ReadOnlyMemory<byte> json, ulong position, long ts)
    {
        var existing = ReadStatusAndPhase(task.Id);
        var previous = existing;
        var renamedFrom = task.Change?.RenamedFrom;
        if (renamedFrom is not null && renamedFrom != task.Id)
        {
            // The old key's delete arrives later; history rows follow the task to its new id now, so that delete
            // finds nothing of the task's past left to remove. The old row itself stays until that delete.
            previous ??= ReadStatusAndPhase(renamedFrom);
            SqlCommands.Execute(db, "UPDATE task_sequence SET task_id = $new WHERE task_id = $old", ("$new", task.Id), ("$old", renamedFrom));
            SqlCommands.Execute(db, "UPDATE claim_sequence SET task_id = $new WHERE task_id = $old", ("$new", task.Id), ("$old", renamedFrom));
            SqlCommands.Execute(db, "UPDATE attachment_text SET task_id = $new WHERE task_id = $old", ("$new", task.Id), ("$old", renamedFrom));
        }

        // Most revisions (claims, releases, thoughts) change neither text nor tags: skip those rewrites.
        var textChanged = existing is null || existing.Value.Title != task.Title || existing.Value.Description != (task.Description ?? string.Empty);
        UpsertTaskRow(task, Encoding.UTF8.GetString(json.Span), existing?.RowId, textChanged);
        if (existing is null || existing.Value.Tags != SqlCommands.JsonList(task.Tags))
        {
            ReplaceTags("task_tags", task.Id, task.Tags);
        }

        if (existing is null || existing.Value.Needed != SqlCommands.JsonList(task.NeededTags))
        {
            ReplaceTags("task_needed_tags", task.Id, task.NeededTags);
        }

        if (existing is null || existing.Value.Wanted != SqlCommands.JsonList(task.WantedTags))
        {
            ReplaceTags("task_wanted_tags", task.Id, task.WantedTags);
        }

        // A change of owner within the same timed status (a lease takeover, a forced claim) is a transition too: who
        // worked on the task, and for how long, must not be credited to the former owner.
        var handedOver = previous is { Owner: { } from } && task.Owner is not null && task.Owner != from && previous.Value.Status == task.Status;
        if (previous is null || previous.Value.Status != task.Status || handedOver)
        {
            SqlCommands.Execute(
                db,
                "UPDATE task_sequence SET end_timestamp = $ts WHERE task_id = $id AND status IS NOT NULL AND end_timestamp IS NULL",
                ("$ts", ts),
                ("$id", task.Id));
            InsertSequenceRow(position, task, task.Status, null, ts);
        }

        if (task.Phase is not null && task.Phase != previous?.Phase)
        {
            InsertSequenceRow(position, task, null, task.Phase, ts);
        }
    }

    private void InsertSequenceRow(ulong position, TaskRecord task, string? status, string? phase, long ts) =>
        SqlCommands.Execute(
            db,
            """
            INSERT INTO task_sequence (position, task_id, worker_id, status, phase, reason, timestamp)
            VALUES ($pos, $id, $worker, $status, $phase, $reason, $ts)
            """,
            ("$pos", (long)position),
            ("$id", task.Id),
            ("$worker", task.Owner ?? task.Change?.Actor),
            ("$status", status),
            ("$phase", phase),
            ("$reason", task.Change?.Reason),
            ("$ts", ts));

    private (long RowId, string Status, string? Phase, string? Owner, string Title, string Description, string Tags, string Needed, string Wanted)? ReadStatusAndPhase(string id)
    {
        var rows = SqlCommands.Query(
            db,
            "SELECT rowid, status, phase, worker_id, title, coalesce(description, ''), tags, needed_tags, wanted_tags FROM tasks WHERE id = $id",
            r => (r.GetInt64(0), r.GetString(1), SqlCommands.StringOrNull(r, 2), SqlCommands.StringOrNull(r, 3), r.GetString(4), r.GetString(5), r.GetString(6), r.GetString(7), r.GetString(8)),
            ("$id", id));
        return rows.Count == 0 ? null : rows[0];
    }

    private void UpsertTaskRow(TaskRecord t, string json, long? existingRowId, bool textChanged)
    {
        if (existingRowId is { } rid && textChanged)
        {
            SqlCommands.Execute(db, "DELETE FROM tasks_fts WHERE rowid = $rid", ("$rid", rid));
        }

        var metrics = new long[8];
        for (var i = 0; i < Math.Min(8, t.Metrics.Count); i++)
        {
            metrics[i] = t.Metrics[i];
        }

        // ON CONFLICT keeps the rowid, which is also the FTS rowid and the tie-breaker of listings.
        var rowId = Convert.ToInt64(
            SqlCommands.Scalar(
            db,
            """
            INSERT INTO tasks (id, title, description, status, phase, worker_id, claimed_at, priority, points, time_estimate_ms,
                time_actual_ms, started_at, completed_at, current_thought, metric_0, metric_1, metric_2, metric_3, metric_4,
                metric_5, metric_6, metric_7, cost_usd, tags, needed_tags, wanted_tags, created_at, updated_at, deleted_at,
                deleted_by, deleted_reason, record)
            VALUES ($id, $title, $description, $status, $phase, $worker, $claimed, $priority, $points, $estimate,
                $actual, $started, $completed, $thought, $m0, $m1, $m2, $m3, $m4, $m5, $m6, $m7, $cost, $tags, $needed, $wanted,
                $created, $updated, $deletedAt, $deletedBy, $deletedReason, $record)
            ON CONFLICT (id) DO UPDATE SET title = excluded.title, description = excluded.description, status = excluded.status,
                phase = excluded.phase, worker_id = excluded.worker_id, claimed_at = excluded.claimed_at, priority = excluded.priority,
                points = excluded.points, time_estimate_ms = excluded.time_estimate_ms, time_actual_ms = excluded.time_actual_ms,
                started_at = excluded.started_at, completed_at = excluded.completed_at, current_thought = excluded.current_thought,
                metric_0 = excluded.metric_0, metric_1 = excluded.metric_1, metric_2 = excluded.metric_2, metric_3 = excluded.metric_3,
                metric_4 = excluded.metric_4, metric_5 = excluded.metric_5, metric_6 = excluded.metric_6, metric_7 = excluded.metric_7,
                cost_usd = excluded.cost_usd, tags = excluded.tags, needed_tags = excluded.needed_tags, wanted_tags = excluded.wanted_tags,
                created_at = excluded.created_at, updated_at = excluded.updated_at, deleted_at = excluded.deleted_at,
                deleted_by = excluded.deleted_by, deleted_reason = excluded.deleted_reason, record = excluded.record
            RETURNING rowid
            """,
            ("$id", t.Id),
            ("$title", t.Title),
            ("$description", t.Description),
            ("$status", t.Status),
            ("$phase", t.Phase),
            ("$worker", t.Owner),
            ("$claimed", t.ClaimedAt),
            ("$priority", t.Priority),
            ("$points", t.Points),
            ("$estimate", t.TimeEstimateMs),
            ("$actual", t.TimeActualMs),
            ("$started", t.StartedAt),
            ("$completed", t.CompletedAt),
            ("$thought", t.CurrentThought),
            ("$m0", metrics[0]),
            ("$m1", metrics[1]),
            ("$m2", metrics[2]),
            ("$m3", metrics[3]),
            ("$m4", metrics[4]),
            ("$m5", metrics[5]),
            ("$m6", metrics[6]),
            ("$m7", metrics[7]),
            ("$cost", t.CostUsd),
            ("$tags", SqlCommands.JsonList(t.Tags)),
            ("$needed", SqlCommands.JsonList(t.NeededTags)),
            ("$wanted", SqlCommands.JsonList(t.WantedTags)),
            ("$created", t.CreatedAt),
            ("$updated", t.UpdatedAt),
            ("$deletedAt", t.DeletedAt),
            ("$deletedBy", t.DeletedBy),
            ("$deletedReason", t.DeletedReason),
            ("$record", json)),
            System.Globalization.CultureInfo.InvariantCulture);
        if (!textChanged)
        {
            return;
        }

        SqlCommands.Execute(
            db,
            "INSERT INTO tasks_fts (rowid, task_id, title, description) VALUES ($rid, $id, $title, $description)",
            ("$rid", rowId),
            ("$id", t.Id),
            ("$title", t.Title),
            ("$description", t.Description ?? string.Empty));
    }

    private void ReplaceTags(string table, string taskId, IReadOnlyList<string> tags)
    {
        SqlCommands.Execute(db, $"DELETE FROM {table} WHERE task_id = $id", ("$id", taskId));
        foreach (var tag in tags)
        {
            SqlCommands.Execute(db, $"INSERT OR IGNORE INTO {table} (task_id, tag) VALUES ($id, $tag)", ("$id", taskId), ("$tag", tag));
        }
    }

    private void DeleteTask(string id)
    {
        // A renamed task's history already moved to its new id (see PutTask), so whatever task_sequence rows are left
        // under this id belong to an obliterated task and go with it.
        SqlCommands.Execute(db, "DELETE FROM tasks_fts WHERE rowid = (SELECT rowid FROM tasks WHERE id = $id)", ("$id", id));
        SqlCommands.Execute(db, "DELETE FROM tasks WHERE id = $id", ("$id", id));
        SqlCommands.Execute(db, "DELETE FROM task_tags WHERE task_id = $id", ("$id", id));
        SqlCommands.Execute(db, "DELETE FROM task_needed_tags WHERE task_id = $id", ("$id", id));
        SqlCommands.Execute(db, "DELETE FROM task_wanted_tags WHERE task_id = $id", ("$id", id));
        SqlCommands.Execute(db, "DELETE FROM task_sequence WHERE task_id = $id", ("$id", id));
    }

    private void PutWorker(WorkerRecord w, ReadOnlyMemory<byte> json) =>
        SqlCommands.Execute(
            db,
            """
            INSERT OR REPLACE INTO workers (id, tags, max_claims, registered_at, last_heartbeat, heartbeat_deadline,
                last_claim_sequence, workflow, overlays, last_status, last_phase, record)
            VALUES ($id, $tags, $max, $registered, $heartbeat, $deadline, $cursor, $workflow, $overlays, $lastStatus, $lastPhase, $record)
            """,
            ("$id", w.Id),
            ("$tags", SqlCommands.JsonList(w.Tags)),
            ("$max", w.MaxClaims),
            ("$registered", w.RegisteredAt),
            ("$heartbeat", w.LastHeartbeat),
            ("$deadline", w.HeartbeatDeadline),
            ("$cursor", (long)w.MarkCursor),
            ("$workflow", w.Workflow),
            ("$overlays", w.Overlays.Count == 0 ? null : SqlCommands.JsonList(w.Overlays)),
            ("$lastStatus", w.LastStatus),
            ("$lastPhase", w.LastPhase),
            ("$record", Encoding.UTF8.GetString(json.Span)));

    private void PutMark(MarkRecord mark, string path, ulong position, long ts)
    {
        var holder = SqlCommands.Scalar(db, "SELECT worker_id FROM file_locks WHERE file_path = $p", ("$p", path)) as string;
        if (holder != mark.Agent)
        {
            // A new holder without a delete in between: the previous claim ends here (no 'released' row, since the
            // row id is the change position and this change is the new claim).
            CloseOpenClaim(path, ts);
            SqlCommands.Execute(
                db,
                """
                INSERT INTO claim_sequence (id, file_path, worker_id, task_id, event, reason, timestamp)
                VALUES ($id, $p, $worker, $task, 'claimed', $reason, $ts)
                """,
                ("$id", (long)position),
                ("$p", path),
                ("$worker", mark.Agent),
                ("$task", mark.TaskId),
                ("$reason", mark.Reason),
                ("$ts", ts));
        }

        SqlCommands.Execute(
            db,
            """
            INSERT OR REPLACE INTO file_locks (file_path, worker_id, task_id, reason, locked_at, is_lock)
            VALUES ($p, $worker, $task, $reason, $at, $lock)
            """,
            ("$p", path),
            ("$worker", mark.Agent),
            ("$task", mark.TaskId),
            ("$reason", mark.Reason),
            ("$at", mark.MarkedAt),
            ("$lock", mark.IsLock ? 1 : 0));
    }

    private long? CloseOpenClaim(string path, long ts)
    {
        var open = SqlCommands.Scalar(
            db,
            "SELECT id FROM claim_sequence WHERE file_path = $p AND event = 'claimed' AND end_timestamp IS NULL ORDER BY id DESC LIMIT 1",
            ("$p", path));
        if (open is not long id)
        {
            return null;
        }

        SqlCommands.Execute(db, "UPDATE claim_sequence SET end_timestamp = $ts WHERE id = $id", ("$ts", ts), ("$id", id));
        return id;
    }

    private void DeleteMark(string path, ulong position, long ts)
    {
        var last = SqlCommands.Query(
            db,
            "SELECT worker_id, task_id, reason FROM file_locks WHERE file_path = $p",
            r => (Worker: r.GetString(0), Task: SqlCommands.StringOrNull(r, 1), Reason: SqlCommands.StringOrNull(r, 2)),
            ("$p", path));
        if (last.Count == 0)
        {
            return;
        }

        var claimId = CloseOpenClaim(path, ts);
        SqlCommands.Execute(
            db,
            """
            INSERT INTO claim_sequence (id, file_path, worker_id, task_id, event, reason, claim_id, timestamp)
            VALUES ($id, $p, $worker, $task, 'released', $reason, $claim, $ts)
            """,
            ("$id", (long)position),
            ("$p", path),
            ("$worker", last[0].Worker),
            ("$task", last[0].Task),
            ("$reason", last[0].Reason),
            ("$claim", claimId),
            ("$ts", ts));
        SqlCommands.Execute(db, "DELETE FROM file_locks WHERE file_path = $p", ("$p", path));
    }

    private void ReplaceDependencies(IReadOnlyList<DependencyEdge> edges)
    {
        SqlCommands.Execute(db, "DELETE FROM dependencies");
        ChangeDependencies([], edges);
    }

    /// <summary>A format-2 change of <c>graph.deps</c>: only the edges it names are touched (the projection is incremental).</summary>
    private void ChangeDependencies(IReadOnlyList<DependencyEdge> removed, IReadOnlyList<DependencyEdge> added)
    {
        foreach (var (sql, edges) in new[]
        {
            ("DELETE FROM dependencies WHERE from_task_id = $from AND to_task_id = $to AND dep_type = $type", removed),
            ("INSERT OR IGNORE INTO dependencies (from_task_id, to_task_id, dep_type) VALUES ($from, $to, $type)", added),
        })
        {
            if (edges.Count == 0)
            {
                continue;
            }

            using var cmd = SqlCommands.Create(db, sql, ("$from", string.Empty), ("$to", string.Empty), ("$type", string.Empty));
            foreach (var edge in edges)
            {
                cmd.Parameters["$from"].Value = edge.From;
                cmd.Parameters["$to"].Value = edge.To;
                cmd.Parameters["$type"].Value = edge.Type;
                cmd.ExecuteNonQuery();
            }
        }
    }

    /// <summary>True when the failure is a record that cannot be decoded (skipped and logged, not fatal).</summary>
    public static bool IsUndecodable(Exception ex) => ex is JsonException or NotSupportedException;
}
