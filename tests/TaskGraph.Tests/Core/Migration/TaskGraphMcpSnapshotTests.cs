using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TaskGraph.Core.Attachments;
using TaskGraph.Core.Migration;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;

namespace TaskGraph.Tests.Migration;

/// <summary>Reading a task-graph-mcp v3 export snapshot as our record stream (<see cref="TaskGraphMcpSnapshot"/>).</summary>
[Trait("Lane", "fast")]
public sealed class TaskGraphMcpSnapshotTests
{
    private const long Now = 1_800_000_000_000;
    private const long T0 = 1_700_000_000_000; // 2023-11-14T22:13:20Z
    private const int LargeSize = AttachmentContents.MaxContentBytes + 1000;

    /// <summary>
    /// The fixture: api-dto (compact DTO) and api-raw (raw row) describe the same task; hist has an out-of-order status
    /// history that ends before the row's final status, tag tables and attachments; gone is soft-deleted with no history.
    /// </summary>
    private const string Fixture = """
    {
      "schema_version": 3,
      "export_version": "1.0.0",
      "exported_at": "2023-11-15T00:00:00Z",
      "exported_by": "task-graph-mcp v0.9.0",
      "tables": {
        "tasks": [
          {
            "id": "api-dto", "title": "Build API", "description": "REST endpoints", "status": "completed", "phase": "review",
            "priority": 8, "worker_id": "alice", "claimed_at": "2023-11-14T22:14:10Z", "points": 3,
            "time_estimate_ms": 60000, "time_actual_ms": 45000, "started_at": "2023-11-14T22:14:20Z",
            "completed_at": "2023-11-14T22:15:20Z", "current_thought": "wrapping up", "cost_usd": 0.25,
            "metrics": [3, 0, 7, 0, 0, 0, 0, 0], "tags": ["backend", "api"], "needed_tags": ["rust"], "wanted_tags": [],
            "created_at": "2023-11-14T22:13:20Z", "updated_at": "2023-11-14T22:15:30.000+00:00"
          },
          {
            "id": "api-raw", "title": "Build API", "description": "REST endpoints", "status": "completed", "phase": "review",
            "priority": "8", "worker_id": "alice", "claimed_at": 1700000050000, "points": 3,
            "time_estimate_ms": 60000, "time_actual_ms": 45000, "started_at": 1700000060000,
            "completed_at": 1700000120000, "current_thought": "wrapping up", "cost_usd": 0.25,
            "metric_0": 3, "metric_1": 0, "metric_2": 7, "metric_3": 0, "metric_4": 0, "metric_5": 0, "metric_6": 0, "metric_7": 0,
            "tags": "[\"backend\",\"api\"]", "needed_tags": "[\"rust\"]", "wanted_tags": null,
            "created_at": 1700000000000, "updated_at": 1700000130000,
            "deleted_at": null, "deleted_by": null, "deleted_reason": null
          },
          {
            "id": "gone", "title": "Duplicate", "status": "cancelled", "created_at": 1700000000000, "updated_at": 1700000200000,
            "deleted_at": "2023-11-14T22:20:00Z", "deleted_by": "carol", "deleted_reason": "duplicate of api-raw"
          },
          {
            "id": "hist", "title": "Deploy", "status": "failed", "phase": "design", "priority": null, "worker_id": null,
            "tags": "[\"infra\"]", "metric_0": null, "created_at": 1700000000000, "updated_at": 1700000300000,
            "deleted_at": null
          }
        ],
        "dependencies": [
          { "from_task_id": "api-raw", "to_task_id": "api-dto", "dep_type": "blocks" },
          { "from_task_id": "api-raw", "to_task_id": "api-dto", "dep_type": "blocks" },
          { "from_task_id": "api-raw", "to_task_id": "missing", "dep_type": "blocks" },
          { "from_task_id": "hist", "to_task_id": "hist", "dep_type": "blocks" },
          { "from_task_id": "hist", "to_task_id": "api-raw", "dep_type": "contains" },
          { "from": "hist", "to": "gone", "type": "follows" }
        ],
        "attachments": [
          { "task_id": "hist", "attachment_type": "commit", "sequence": 0, "name": "main", "mime_type": null,
            "content": null, "file_path": "src/main.rs", "created_at": 1700000020000 },
          { "task_id": "hist", "attachment_type": "note", "sequence": 0, "name": "plan", "mime_type": "text/markdown",
            "content": "# Plan\nship it", "file_path": null, "created_at": 1700000000000 },
          { "task_id": "nobody", "attachment_type": "note", "sequence": 0, "content": "orphan", "created_at": 1700000000000 }
        ],
        "task_tags": [
          { "task_id": "api-dto", "tag": "api" },
          { "task_id": "hist", "tag": "infra" },
          { "task_id": "hist", "tag": "ops" },
          { "task_id": "nobody", "tag": "x" }
        ],
        "task_needed_tags": [ { "task_id": "hist", "tag": "rust" } ],
        "task_wanted_tags": [ { "task_id": "hist", "tag": "linux" }, { "task_id": "hist", "tag": "mac" } ],
        "task_sequence": [
          { "id": 1, "task_id": "api-dto", "worker_id": "creator", "status": "pending", "phase": null, "reason": null, "timestamp": 1700000000000 },
          { "id": 2, "task_id": "api-dto", "worker_id": "alice", "status": "in_progress", "phase": "implement", "reason": "claimed", "timestamp": "2023-11-14T22:14:20Z" },
          { "id": 3, "task_id": "api-dto", "worker_id": "alice", "status": "completed", "phase": "review", "reason": "done", "timestamp": 1700000120000 },
          { "id": 4, "task_id": "api-raw", "worker_id": "creator", "status": "pending", "phase": null, "reason": null, "timestamp": 1700000000000 },
          { "id": 5, "task_id": "api-raw", "worker_id": "alice", "status": "in_progress", "phase": "implement", "reason": "claimed", "timestamp": 1700000060000 },
          { "id": 6, "task_id": "api-raw", "worker_id": "alice", "status": "completed", "phase": "review", "reason": "done", "timestamp": "2023-11-14T22:15:20Z" },
          { "id": 12, "task_id": "hist", "worker_id": "bob", "status": "in_progress", "phase": null, "reason": "starting", "timestamp": 1700000010000 },
          { "id": 10, "task_id": "hist", "worker_id": "creator", "status": "pending", "phase": null, "reason": null, "timestamp": 1700000000000 },
          { "id": 11, "task_id": "hist", "worker_id": "bob", "status": null, "phase": "design", "reason": "thinking first", "timestamp": 1700000005000 },
          { "id": 13, "task_id": "nobody", "worker_id": "bob", "status": "completed", "timestamp": 1700000005000 }
        ]
      }
    }
    """;

    private static readonly string LargeContent = new('x', LargeSize);

    [Fact]
    public void Raw_row_and_compact_dto_give_the_same_task_record()
    {
        var entries = Read();

        var dto = Final(entries, "api-dto");
        var raw = Final(entries, "api-raw");

        Assert.Equal(Json(dto with { Id = "same" }), Json(raw with { Id = "same" }));
        Assert.Equal("Build API", raw.Title);
        Assert.Equal("REST endpoints", raw.Description);
        Assert.Equal(8, raw.Priority);
        Assert.Equal("alice", raw.Owner);
        Assert.Equal(1, raw.LeaseEpoch);
        Assert.Equal(T0 + 50_000, raw.ClaimedAt);
        Assert.Equal(3, raw.Points);
        Assert.Equal(60_000, raw.TimeEstimateMs);
        Assert.Equal(45_000, raw.TimeActualMs);
        Assert.Equal(T0 + 60_000, raw.StartedAt);
        Assert.Equal(T0 + 120_000, raw.CompletedAt);
        Assert.Equal("wrapping up", raw.CurrentThought);
        Assert.Equal(0.25, raw.CostUsd);
        Assert.Equal([3L, 0L, 7L], raw.Metrics);
        Assert.Equal(["backend", "api"], raw.Tags);
        Assert.Equal(["rust"], raw.NeededTags);
        Assert.Empty(raw.WantedTags);
        Assert.Equal(T0, raw.CreatedAt);
        Assert.Equal(T0 + 130_000, raw.UpdatedAt);
        Assert.Null(raw.DeletedAt);
    }

    [Fact]
    public void Missing_priority_and_metrics_read_as_the_defaults()
    {
        var hist = Final(Read(), "hist");

        Assert.Equal(5, hist.Priority);
        Assert.Empty(hist.Metrics);
        Assert.Null(hist.Owner);
        Assert.Equal(0, hist.LeaseEpoch);
    }

    [Fact]
    public void History_replays_the_status_sequence_with_its_original_times_and_ends_in_the_row()
    {
        var revisions = Revisions(Read(), "api-raw");

        Assert.Equal(
            [(ChangeKinds.Create, "pending", (string?)null, T0), (ChangeKinds.Status, "in_progress", "implement", T0 + 60_000), (ChangeKinds.Status, "completed", "review", T0 + 120_000)],
            revisions.Select(r => (r.Task.Change!.Kind, r.Task.Status, r.Task.Phase, r.ChangedAt)));

        var (created, _) = revisions[0];
        Assert.Equal("creator", created.Change!.Actor);
        Assert.Null(created.Change.FromStatus);
        Assert.Null(created.Owner);
        Assert.Null(created.CompletedAt);
        Assert.Equal(T0, created.StatusSince);

        var (claimed, _) = revisions[1];
        Assert.Equal("alice", claimed.Change!.Actor);
        Assert.Equal("claimed", claimed.Change.Reason);
        Assert.Equal("pending", claimed.Change.FromStatus);
        Assert.Null(claimed.Change.FromPhase);
        Assert.Equal(T0 + 60_000, claimed.StatusSince);
        Assert.Equal(T0 + 60_000, claimed.StartedAt);

        var (done, _) = revisions[2];
        Assert.Equal("in_progress", done.Change!.FromStatus);
        Assert.Equal("implement", done.Change.FromPhase);
        Assert.Equal("done", done.Change.Reason);
        Assert.Equal(T0 + 120_000, done.StatusSince);
        Assert.Equal("alice", done.FinishedBy);
        Assert.Equal("alice", done.Owner);
        Assert.Equal(T0 + 130_000, done.UpdatedAt);
    }

    [Fact]
    public void History_is_ordered_by_sequence_id_and_an_import_revision_reaches_the_row_status()
    {
        var revisions = Revisions(Read(), "hist");

        Assert.Equal(
            [
                (ChangeKinds.Create, "pending", (string?)null, (string?)null, T0),
                (ChangeKinds.Phase, "pending", "design", "pending", T0 + 5_000),
                (ChangeKinds.Status, "in_progress", "design", "pending", T0 + 10_000),
                (TaskGraphMcpSnapshot.ImportChangeKind, "failed", "design", "in_progress", T0 + 300_000),
            ],
            revisions.Select(r => (r.Task.Change!.Kind, r.Task.Status, r.Task.Phase, r.Task.Change.FromStatus, r.ChangedAt)));
        Assert.Equal("thinking first", revisions[1].Task.Change!.Reason);
        Assert.Equal("bob", revisions[2].Task.Change!.Actor);

        var final = revisions[^1].Task;
        Assert.Equal("failed", final.Status);
        Assert.Equal(T0 + 300_000, final.StatusSince);
        Assert.Equal(T0 + 300_000, final.UpdatedAt);
        Assert.Null(final.FinishedBy);
    }

    [Fact]
    public void A_soft_deleted_task_without_history_is_created_brought_to_its_status_and_deleted()
    {
        var revisions = Revisions(Read(), "gone");
        var deletedAt = DateTimeOffset.Parse("2023-11-14T22:20:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();

        Assert.Equal(
            [(ChangeKinds.Create, "pending", T0), (TaskGraphMcpSnapshot.ImportChangeKind, "cancelled", T0 + 200_000), (ChangeKinds.Delete, "cancelled", deletedAt)],
            revisions.Select(r => (r.Task.Change!.Kind, r.Task.Status, r.ChangedAt)));
        Assert.All(revisions.Take(2), r => Assert.False(r.Task.IsDeleted));

        var final = revisions[^1].Task;
        Assert.Equal(deletedAt, final.DeletedAt);
        Assert.Equal("carol", final.DeletedBy);
        Assert.Equal("duplicate of api-raw", final.DeletedReason);
        Assert.Equal("carol", final.Change!.Actor);
        Assert.Equal("duplicate of api-raw", final.Change.Reason);
        Assert.Equal(T0 + 200_000, final.StatusSince);
    }

    [Fact]
    public void Attachments_become_content_records_blobs_and_file_references()
    {
        var entries = Read();
        var final = Final(entries, "hist");
        var attachments = final.Attachments!;

        Assert.Equal([("commit", 0), ("log", 0), ("note", 0)], attachments.Select(a => (a.Type, a.Sequence)));

        var file = attachments[0];
        Assert.Equal("src/main.rs", file.FilePath);
        Assert.Null(file.ContentKey);
        Assert.Null(file.BlobName);
        Assert.Equal(0, file.Size);
        Assert.Equal("text/plain", file.MimeType);
        Assert.Equal("main", file.Name);
        Assert.Equal(T0 + 20_000, file.CreatedAt);

        var note = attachments[2];
        Assert.Equal("text/markdown", note.MimeType);
        Assert.Equal("plan", note.Name);
        Assert.Equal(Encoding.UTF8.GetByteCount("# Plan\nship it"), note.Size);
        Assert.Null(note.BlobName);
        Assert.StartsWith(RecordKeys.AttachmentPrefix, note.ContentKey);
        Assert.Matches("^attach\\.[A-Za-z0-9_-]+$", note.ContentKey);
        var noteEntry = Assert.Single(entries, e => e.Key == note.ContentKey);
        Assert.Equal(SnapshotEntryKind.Put, noteEntry.Kind);
        var noteContent = RecordJson.Deserialize<AttachmentContent>(noteEntry.Value);
        Assert.Equal(new AttachmentContent { TaskId = "hist", Type = "note", Content = "# Plan\nship it" }, noteContent);
        Assert.Equal(T0, RecordJson.ChangedAtOf(noteEntry.Value));

        var log = attachments[1];
        Assert.Equal(LargeSize, log.Size);
        Assert.NotNull(log.BlobName);
        Assert.StartsWith("hist_log_1700000030000-", log.BlobName);
        Assert.EndsWith(".txt", log.BlobName);
        var blob = Assert.Single(entries, e => e.Kind == SnapshotEntryKind.Blob);
        Assert.Equal(log.BlobName, blob.Key);
        Assert.Equal(Encoding.UTF8.GetBytes(LargeContent), blob.Value.ToArray());
        var excerpt = RecordJson.Deserialize<AttachmentContent>(Assert.Single(entries, e => e.Key == log.ContentKey).Value);
        Assert.Equal(AttachmentContents.MaxContentBytes, excerpt.Content.Length);

        // The orphan attachment of a task not in the snapshot is dropped.
        Assert.DoesNotContain(entries, e => e.Kind == SnapshotEntryKind.Put && e.Key.StartsWith(RecordKeys.AttachmentPrefix, StringComparison.Ordinal)
            && RecordJson.Deserialize<AttachmentContent>(e.Value).TaskId == "nobody");
        var contentKeys = entries.Where(e => e.Key.StartsWith(RecordKeys.AttachmentPrefix, StringComparison.Ordinal)).Select(e => e.Key);
        Assert.Equal(new[] { note.ContentKey, log.ContentKey }.Order(StringComparer.Ordinal), contentKeys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Earlier_revisions_list_only_the_attachments_made_by_then()
    {
        var revisions = Revisions(Read(), "hist");

        Assert.Equal(["note"], revisions[0].Task.Attachments!.Select(a => a.Type));
        Assert.Equal(["note"], revisions[2].Task.Attachments!.Select(a => a.Type));
        Assert.Equal(["commit", "log", "note"], revisions[^1].Task.Attachments!.Select(a => a.Type));
        Assert.Null(Final(Read(), "api-raw").Attachments);
    }

    [Fact]
    public void Content_comes_first_then_each_task_revisions_then_the_dependency_graph()
    {
        var entries = Read().ToList();
        var lastContent = entries.FindLastIndex(e => e.Kind == SnapshotEntryKind.Blob || e.Key.StartsWith(RecordKeys.AttachmentPrefix, StringComparison.Ordinal));
        var firstTask = entries.FindIndex(e => e.Key.StartsWith(RecordKeys.TaskPrefix, StringComparison.Ordinal));

        Assert.True(lastContent < firstTask);
        Assert.Equal(RecordKeys.Dependencies, entries[^1].Key);
        Assert.Single(entries, e => e.Key == RecordKeys.Dependencies);
        var taskOrder = entries.Where(e => e.Key.StartsWith(RecordKeys.TaskPrefix, StringComparison.Ordinal)).Select(e => e.Key).Distinct().ToList();
        Assert.Equal(["api-dto", "api-raw", "gone", "hist"], taskOrder.Select(k => RecordKeys.Decode(k[RecordKeys.TaskPrefix.Length..])));
        var keys = entries.Select(e => e.Key).ToList();
        Assert.All(taskOrder, key => Assert.Equal(keys.LastIndexOf(key) - keys.IndexOf(key) + 1, keys.Count(k => k == key)));
        Assert.All(entries.Where(e => e.Kind == SnapshotEntryKind.Put), e => Assert.NotNull(RecordJson.ChangedAtOf(e.Value)));
    }

    [Fact]
    public void Edges_keep_their_direction_and_skip_dangling_self_and_duplicate_ones()
    {
        var deps = Read()[^1];

        Assert.Equal(Now, RecordJson.ChangedAtOf(deps.Value));
        var graph = RecordJson.Deserialize<DependencyChangeRecord>(deps.Value);
        Assert.True(graph.IsSnapshot);
        Assert.Equal(
            [new DependencyEdge("api-raw", "api-dto", "blocks"), new DependencyEdge("hist", "api-raw", "contains"), new DependencyEdge("hist", "gone", "follows")],
            graph.ApplyTo([]));
    }

    [Fact]
    public void Tag_tables_merge_into_the_row_tags_without_duplicates()
    {
        var entries = Read();
        var hist = Final(entries, "hist");

        Assert.Equal(["infra", "ops"], hist.Tags);
        Assert.Equal(["rust"], hist.NeededTags);
        Assert.Equal(["linux", "mac"], hist.WantedTags);
        Assert.Equal(["backend", "api"], Final(entries, "api-dto").Tags);
    }

    [Fact]
    public void The_same_snapshot_always_gives_the_same_entries()
    {
        var first = Read();
        var second = Read();

        Assert.Equal(first.Count, second.Count);
        for (var i = 0; i < first.Count; i++)
        {
            Assert.Equal(first[i].Kind, second[i].Kind);
            Assert.Equal(first[i].Key, second[i].Key);
            Assert.Equal(first[i].Value.ToArray(), second[i].Value.ToArray());
        }
    }

    [Fact]
    public void A_snapshot_is_recognised_by_its_schema_version()
    {
        using var snapshot = JsonDocument.Parse(Fixture);
        using var ours = JsonDocument.Parse("""{"format":"taskgraph","version":1}""");
        using var array = JsonDocument.Parse("[1]");

        Assert.True(TaskGraphMcpSnapshot.IsTaskGraphMcp(snapshot.RootElement));
        Assert.False(TaskGraphMcpSnapshot.IsTaskGraphMcp(ours.RootElement));
        Assert.False(TaskGraphMcpSnapshot.IsTaskGraphMcp(array.RootElement));
    }

    [Fact]
    public void Another_schema_version_is_refused_with_a_migration_message()
    {
        var node = JsonNode.Parse(Fixture)!;
        node["schema_version"] = 2;

        var error = Assert.Throws<SnapshotFormatException>(() => TaskGraphMcpSnapshot.Read(Encoding.UTF8.GetBytes(node.ToJsonString()), Now));

        Assert.Equal("Schema version mismatch: snapshot has 2, expected 3. Migration required.", error.Message);
    }

    [Fact]
    public void A_document_that_is_not_a_snapshot_object_is_refused()
    {
        var array = Assert.Throws<SnapshotFormatException>(() => TaskGraphMcpSnapshot.Read("[{\"schema_version\":3}]"u8.ToArray(), Now));
        Assert.Contains("JSON object", array.Message, StringComparison.Ordinal);
        Assert.Contains("array", array.Message, StringComparison.Ordinal);

        var truncated = Assert.Throws<SnapshotFormatException>(() => TaskGraphMcpSnapshot.Read(Encoding.UTF8.GetBytes(Fixture[..(Fixture.Length / 2)]), Now));
        Assert.Contains("not valid JSON", truncated.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<JsonException>(truncated.InnerException);

        var unversioned = Assert.Throws<SnapshotFormatException>(() => TaskGraphMcpSnapshot.Read("""{"tables":{}}"""u8.ToArray(), Now));
        Assert.Contains("schema_version", unversioned.Message, StringComparison.Ordinal);

        var tableless = Assert.Throws<SnapshotFormatException>(() => TaskGraphMcpSnapshot.Read("""{"schema_version":3}"""u8.ToArray(), Now));
        Assert.Contains("'tables'", tableless.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_field_of_the_wrong_shape_is_refused_naming_the_row_and_field()
    {
        var node = JsonNode.Parse(Fixture)!;
        node["tables"]!["tasks"]![3]!["priority"] = new JsonObject { ["level"] = 1 };

        var error = Assert.Throws<SnapshotFormatException>(() => TaskGraphMcpSnapshot.Read(Encoding.UTF8.GetBytes(node.ToJsonString()), Now));

        Assert.Contains("tables.tasks[3] (task 'hist')", error.Message, StringComparison.Ordinal);
        Assert.Contains("'priority'", error.Message, StringComparison.Ordinal);

        node = JsonNode.Parse(Fixture)!;
        node["tables"]!["task_sequence"]![0]!["timestamp"] = "yesterday";
        error = Assert.Throws<SnapshotFormatException>(() => TaskGraphMcpSnapshot.Read(Encoding.UTF8.GetBytes(node.ToJsonString()), Now));
        Assert.Contains("'timestamp'", error.Message, StringComparison.Ordinal);
        Assert.Contains("yesterday", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_task_id_twice_is_refused()
    {
        var node = JsonNode.Parse(Fixture)!;
        node["tables"]!["tasks"]!.AsArray().Add(new JsonObject { ["id"] = "hist", ["title"] = "again" });

        var error = Assert.Throws<SnapshotFormatException>(() => TaskGraphMcpSnapshot.Read(Encoding.UTF8.GetBytes(node.ToJsonString()), Now));

        Assert.Contains("'hist'", error.Message, StringComparison.Ordinal);
        Assert.Contains("twice", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The fixture with a content too large for a record added (a blob on import), read.</summary>
    private static IReadOnlyList<SnapshotEntry> Read()
    {
        var node = JsonNode.Parse(Fixture)!;
        node["tables"]!["attachments"]!.AsArray().Insert(1, new JsonObject
        {
            ["task_id"] = "hist",
            ["type"] = "log",
            ["seq"] = 0,
            ["content"] = LargeContent,
            ["created_at"] = T0 + 30_000,
        });
        using var document = JsonDocument.Parse(node.ToJsonString());
        return TaskGraphMcpSnapshot.Read(document.RootElement, Now);
    }

    private static List<(TaskRecord Task, long? ChangedAt)> Revisions(IReadOnlyList<SnapshotEntry> entries, string id) =>
        [.. entries.Where(e => e.Kind == SnapshotEntryKind.Put && e.Key == RecordKeys.Task(id))
            .Select(e => (RecordJson.Deserialize<TaskRecord>(e.Value), RecordJson.ChangedAtOf(e.Value)))];

    private static TaskRecord Final(IReadOnlyList<SnapshotEntry> entries, string id) => Revisions(entries, id)[^1].Task;

    private static string Json(TaskRecord task) => Encoding.UTF8.GetString(RecordJson.Serialize(task));
}
