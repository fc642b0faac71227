using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TaskGraph.Core.Attachments;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;
using static TaskGraph.Core.Migration.TaskGraphMcpFields;

namespace TaskGraph.Core.Migration;

/// <summary>
/// Reads an export snapshot of the Rust server task-graph-mcp (<c>schema_version</c> 3: one JSON object with its tables
/// as arrays of rows) as our own record stream, a sequence of <see cref="SnapshotEntry"/> an importer replays into a
/// store. Both shapes its exporter writes for a task are read (the raw row: string <c>priority</c>, <c>tags</c> as a
/// JSON string, <c>metric_0</c>..<c>metric_7</c>; and the compact DTO: integer <c>priority</c> omitted when 5, arrays
/// for <c>tags</c> and <c>metrics</c>), times as epoch ms or RFC 3339, and common alternative column names.
/// </summary>
public static class TaskGraphMcpSnapshot
{
    /// <summary>The only task-graph-mcp schema version this reader knows.</summary>
    public const int SchemaVersion = 3;

    /// <summary>
    /// The change kind of the revision that brings a task to the state of its row when its status history ends elsewhere
    /// (or it has none).
    /// </summary>
    public const string ImportChangeKind = "import";

    private const string DefaultStatus = "pending";
    private const string DefaultDependencyType = "blocks";
    private const string DefaultMime = "text/plain";
    private const int MetricCount = 8;

    private static readonly string[] FinishedStatuses = ["completed", "failed", "cancelled"];

    /// <summary>True when the document's root is an object with <c>schema_version</c> (our own format is JSON Lines with a different header).</summary>
    public static bool IsTaskGraphMcp(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("schema_version", out _);

    /// <summary>
    /// Parses <paramref name="utf8Json"/> and reads it as <see cref="Read(JsonElement, long)"/> does; a document that is
    /// not JSON (or is cut short) is a <see cref="SnapshotFormatException"/>.
    /// </summary>
    public static IReadOnlyList<SnapshotEntry> Read(ReadOnlyMemory<byte> utf8Json, long nowMs)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json);
        }
        catch (JsonException ex)
        {
            throw new SnapshotFormatException($"The snapshot is not valid JSON (truncated or corrupt?): {ex.Message}", ex);
        }

        using (document)
        {
            return Read(document.RootElement, nowMs);
        }
    }

    /// <summary>
    /// The entries of the snapshot, in an order that replays cleanly: first every attachment's content (for content over
    /// <see cref="AttachmentContents.MaxContentBytes"/> its <see cref="SnapshotEntryKind.Blob"/>, then for text its
    /// search record), task by task; then every task's revisions, oldest first, task by task in the order of the tasks
    /// table; last one <c>graph.deps</c> put holding every edge (a format-1 snapshot). Each put is written with its
    /// original time as <c>changed_at</c>. A task's revisions are its creation, one per <c>task_sequence</c> row after the
    /// first (which is the creation's state), an <see cref="ImportChangeKind"/> revision when the history ends in
    /// another status or phase than the row, and a delete when the row is soft-deleted; the last revision is the row.
    /// The whole snapshot is read before this returns, so a malformed one throws here, before any entry is replayed.
    /// The same input always gives the same entries (content ids and blob names are derived from the row's key).
    /// </summary>
    /// <param name="root">The parsed snapshot.</param>
    /// <param name="nowMs">The import time (epoch ms): <c>changed_at</c> of <c>graph.deps</c>.</param>
    /// <exception cref="SnapshotFormatException">The snapshot has another schema version, or a table, row or field cannot be read.</exception>
    public static IReadOnlyList<SnapshotEntry> Read(JsonElement root, long nowMs)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new SnapshotFormatException($"A task-graph-mcp snapshot is a JSON object; this document is a JSON {Kind(root)}.");
        }

        if (!root.TryGetProperty("schema_version", out _))
        {
            throw new SnapshotFormatException("The document has no schema_version: it is not a task-graph-mcp export snapshot.");
        }

        var version = Integer(root, "snapshot", "schema_version")
            ?? throw new SnapshotFormatException("The snapshot's schema_version is null.");
        if (version != SchemaVersion)
        {
            throw new SnapshotFormatException(string.Create(CultureInfo.InvariantCulture, $"Schema version mismatch: snapshot has {version}, expected {SchemaVersion}. Migration required."));
        }

        if (!root.TryGetProperty("tables", out var tables) || tables.ValueKind != JsonValueKind.Object)
        {
            throw new SnapshotFormatException("The snapshot has no 'tables' object.");
        }

        var fallbackTime = Time(root, "snapshot", "exported_at") ?? nowMs;
        var tasks = ReadTasks(tables, fallbackTime);
        MergeTags(tables, tasks);

        var entries = new List<SnapshotEntry>();
        var attachments = ReadAttachments(tables, tasks, entries);
        var history = ReadHistory(tables, tasks);
        foreach (var (id, task) in tasks)
        {
            var list = attachments.TryGetValue(id, out var found) ? found : [];
            var rows = history.TryGetValue(id, out var steps) ? steps : [];
            AddRevisions(task with { Attachments = list.Count == 0 ? null : list }, rows, entries);
        }

        var graph = new DependencyGraphRecord { Edges = ReadEdges(tables, tasks) };
        entries.Add(new SnapshotEntry(SnapshotEntryKind.Put, RecordKeys.Dependencies, RecordJson.Serialize(graph, nowMs, null)));
        return entries;
    }

    private static OrderedDictionary<string, TaskRecord> ReadTasks(JsonElement tables, long fallbackTime)
    {
        var tasks = new OrderedDictionary<string, TaskRecord>(StringComparer.Ordinal);
        var index = 0;
        foreach (var row in Rows(tables, "tasks"))
        {
            var at = $"tables.tasks[{index.ToString(CultureInfo.InvariantCulture)}]";
            index++;
            var id = Text(row, at, "id", "task_id");
            if (string.IsNullOrEmpty(id))
            {
                throw new SnapshotFormatException($"{at} has no id.");
            }

            var where = $"{at} (task '{id}')";
            if (!tasks.TryAdd(id, ReadTask(row, id, where, fallbackTime)))
            {
                throw new SnapshotFormatException($"{where}: the id appears twice in the tasks table.");
            }
        }

        return tasks;
    }

    private static TaskRecord ReadTask(JsonElement row, string id, string where, long fallbackTime)
    {
        var created = Time(row, where, "created_at") ?? Time(row, where, "updated_at") ?? fallbackTime;
        var owner = Text(row, where, "worker_id", "owner", "owner_agent");
        return new TaskRecord
        {
            Id = id,
            Title = Text(row, where, "title") ?? string.Empty,
            Description = Text(row, where, "description"),
            Status = NonEmpty(Text(row, where, "status")) ?? DefaultStatus,
            Phase = NonEmpty(Text(row, where, "phase")),
            Owner = NonEmpty(owner),
            LeaseEpoch = string.IsNullOrEmpty(owner) ? 0 : 1,
            ClaimedAt = Time(row, where, "claimed_at"),
            Priority = Priority(row, where),
            Points = Points(row, where),
            TimeEstimateMs = Integer(row, where, "time_estimate_ms"),
            TimeActualMs = Integer(row, where, "time_actual_ms") ?? 0,
            StartedAt = Time(row, where, "started_at"),
            CompletedAt = Time(row, where, "completed_at"),
            CurrentThought = NonEmpty(Text(row, where, "current_thought")),
            Metrics = Metrics(row, where),
            CostUsd = Number(row, where, "cost_usd") ?? 0,
            CreatedAt = created,
            UpdatedAt = Time(row, where, "updated_at") ?? created,
            DeletedAt = Time(row, where, "deleted_at"),
            DeletedBy = NonEmpty(Text(row, where, "deleted_by")),
            DeletedReason = NonEmpty(Text(row, where, "deleted_reason")),
            Tags = Strings(row, where, "tags"),
            NeededTags = Strings(row, where, "needed_tags"),
            WantedTags = Strings(row, where, "wanted_tags"),
        };
    }

    private static int Priority(JsonElement row, string where)
    {
        if (!TryGet(row, out var value, out var name, "priority"))
        {
            return 5;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            var text = (value.GetString() ?? string.Empty).Trim().ToLowerInvariant();
            int? named = text switch
            {
                "" => 5,
                "lowest" or "trivial" => 1,
                "low" => 3,
                "medium" or "normal" or "default" => 5,
                "high" => 7,
                "highest" or "urgent" => 9,
                "critical" => 10,
                _ => null,
            };
            if (named is { } p)
            {
                return p;
            }
        }

        var number = Integer(row, where, name) ?? 5;
        return (int)Math.Clamp(number, 0, 10);
    }

    private static int? Points(JsonElement row, string where) =>
        Integer(row, where, "points") is { } points ? (int)Math.Clamp(points, int.MinValue, int.MaxValue) : null;

    private static long[] Metrics(JsonElement row, string where)
    {
        var metrics = new long[MetricCount];
        if (Integers(row, where, "metrics") is { } list)
        {
            for (var i = 0; i < Math.Min(list.Count, MetricCount); i++)
            {
                metrics[i] = list[i];
            }
        }

        for (var i = 0; i < MetricCount; i++)
        {
            if (Integer(row, where, "metric_" + i.ToString(CultureInfo.InvariantCulture)) is { } value)
            {
                metrics[i] = value;
            }
        }

        // Stored trimmed, as log_metrics writes them.
        var length = metrics.Length;
        while (length > 0 && metrics[length - 1] == 0)
        {
            length--;
        }

        return metrics[..length];
    }

    private static void MergeTags(JsonElement tables, OrderedDictionary<string, TaskRecord> tasks)
    {
        foreach (var (table, field) in new[] { ("task_tags", "tags"), ("task_needed_tags", "needed"), ("task_wanted_tags", "wanted") })
        {
            var added = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            var index = 0;
            foreach (var row in Rows(tables, table))
            {
                var where = $"tables.{table}[{index.ToString(CultureInfo.InvariantCulture)}]";
                index++;
                var taskId = Text(row, where, "task_id", "task");
                var tag = NonEmpty(Text(row, where, "tag", "name"));
                if (taskId is null || tag is null || !tasks.ContainsKey(taskId))
                {
                    continue;
                }

                if (!added.TryGetValue(taskId, out var list))
                {
                    added[taskId] = list = [];
                }

                list.Add(tag);
            }

            foreach (var (taskId, list) in added)
            {
                var task = tasks[taskId];
                tasks[taskId] = field switch
                {
                    "tags" => task with { Tags = Union(task.Tags, list) },
                    "needed" => task with { NeededTags = Union(task.NeededTags, list) },
                    _ => task with { WantedTags = Union(task.WantedTags, list) },
                };
            }
        }
    }

    private static Dictionary<string, List<AttachmentMeta>> ReadAttachments(JsonElement tables, OrderedDictionary<string, TaskRecord> tasks, List<SnapshotEntry> entries)
    {
        var rows = new List<(string TaskId, string Type, int Sequence, JsonElement Row, string Where)>();
        var keys = new HashSet<(string, string, int)>();
        var nextSequence = new Dictionary<(string, string), int>();
        var index = 0;
        foreach (var row in Rows(tables, "attachments"))
        {
            var at = $"tables.attachments[{index.ToString(CultureInfo.InvariantCulture)}]";
            index++;
            var taskId = Text(row, at, "task_id", "task");
            if (taskId is null)
            {
                throw new SnapshotFormatException($"{at} has no task_id.");
            }

            if (!tasks.ContainsKey(taskId))
            {
                continue;
            }

            var type = NonEmpty(Text(row, at, "attachment_type", "type"))
                ?? throw new SnapshotFormatException($"{at} (task '{taskId}') has no attachment_type.");
            var given = Integer(row, at, "sequence", "seq");
            var sequence = given is { } s ? (int)Math.Clamp(s, 0, int.MaxValue) : nextSequence.GetValueOrDefault((taskId, type));
            nextSequence[(taskId, type)] = Math.Max(nextSequence.GetValueOrDefault((taskId, type)), sequence + 1);
            var where = string.Create(CultureInfo.InvariantCulture, $"{at} (task '{taskId}', {type} #{sequence})");
            if (!keys.Add((taskId, type, sequence)))
            {
                throw new SnapshotFormatException($"{where}: another attachment has the same task, type and sequence.");
            }

            rows.Add((taskId, type, sequence, row, where));
        }

        var byTask = new Dictionary<string, List<AttachmentMeta>>(StringComparer.Ordinal);
        var blobNames = new HashSet<string>(StringComparer.Ordinal);
        var ordered = rows
            .OrderBy(r => tasks.IndexOf(r.TaskId))
            .ThenBy(r => r.Type, StringComparer.Ordinal)
            .ThenBy(r => r.Sequence);
        foreach (var (taskId, type, sequence, row, where) in ordered)
        {
            var created = Time(row, where, "created_at") ?? tasks[taskId].CreatedAt;
            var mime = NonEmpty(Text(row, where, "mime_type", "mime")) ?? DefaultMime;
            var content = Text(row, where, "content");
            var file = NonEmpty(Text(row, where, "file_path", "file"));
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"task-graph-mcp\n{taskId}\n{type}\n{sequence}")));
            var meta = new AttachmentMeta
            {
                Type = type,
                Sequence = sequence,
                Name = NonEmpty(Text(row, where, "name")),
                MimeType = mime,
                FilePath = file,
                CreatedAt = created,
                By = NonEmpty(Text(row, where, "created_by", "by", "worker_id")),
            };

            if (content is not null || file is null)
            {
                var bytes = Encoding.UTF8.GetBytes(content ?? string.Empty);
                var key = RecordKeys.Attachment(Convert.ToHexStringLower(hash, 0, 16));
                string? blobName = null;
                string? stored = content ?? string.Empty;
                if (bytes.Length > AttachmentContents.MaxContentBytes)
                {
                    var suffix = (hash[16] << 8) | hash[17];
                    blobName = AttachmentContents.BlobName(taskId, type, created, mime, suffix);
                    while (!blobNames.Add(blobName))
                    {
                        suffix++;
                        blobName = AttachmentContents.BlobName(taskId, type, created, mime, suffix);
                    }

                    entries.Add(new SnapshotEntry(SnapshotEntryKind.Blob, blobName, bytes));

                    // Search reads records, not blobs: a text blob's first MaxContentBytes go in a record of their own.
                    stored = AttachmentContents.IsText(mime) ? AttachmentContents.SearchExcerpt(bytes) : null;
                }

                if (stored is not null)
                {
                    var record = new AttachmentContent { TaskId = taskId, Type = type, Content = stored };
                    entries.Add(new SnapshotEntry(SnapshotEntryKind.Put, key, RecordJson.Serialize(record, created, null)));
                }

                meta = meta with { Size = bytes.Length, ContentKey = stored is null ? null : key, BlobName = blobName };
            }

            if (!byTask.TryGetValue(taskId, out var list))
            {
                byTask[taskId] = list = [];
            }

            list.Add(meta);
        }

        return byTask;
    }

    private static Dictionary<string, List<(string? Status, string? Phase, string? Actor, string? Reason, long? At)>> ReadHistory(JsonElement tables, OrderedDictionary<string, TaskRecord> tasks)
    {
        var rows = new List<(string TaskId, long Id, int Index, string? Status, string? Phase, string? Actor, string? Reason, long? At)>();
        var index = 0;
        foreach (var row in Rows(tables, "task_sequence"))
        {
            var where = $"tables.task_sequence[{index.ToString(CultureInfo.InvariantCulture)}]";
            var taskId = Text(row, where, "task_id", "task");
            if (taskId is null)
            {
                throw new SnapshotFormatException($"{where} has no task_id.");
            }

            if (tasks.ContainsKey(taskId))
            {
                rows.Add((
                    taskId,
                    Integer(row, where, "id", "seq", "sequence") ?? long.MaxValue,
                    index,
                    NonEmpty(Text(row, where, "status", "to_status")),
                    NonEmpty(Text(row, where, "phase", "to_phase")),
                    NonEmpty(Text(row, where, "worker_id", "actor", "agent_id")),
                    NonEmpty(Text(row, where, "reason")),
                    Time(row, where, "timestamp", "created_at", "at")));
            }

            index++;
        }

        var byTask = new Dictionary<string, List<(string? Status, string? Phase, string? Actor, string? Reason, long? At)>>(StringComparer.Ordinal);
        foreach (var row in rows.OrderBy(r => r.Id).ThenBy(r => r.Index))
        {
            if (!byTask.TryGetValue(row.TaskId, out var list))
            {
                byTask[row.TaskId] = list = [];
            }

            list.Add((row.Status, row.Phase, row.Actor, row.Reason, row.At));
        }

        return byTask;
    }

    private static void AddRevisions(TaskRecord final, List<(string? Status, string? Phase, string? Actor, string? Reason, long? At)> rows, List<SnapshotEntry> entries)
    {
        // The first sequence row is the state the task was created in (task-graph-mcp records it on create).
        var first = rows.Count > 0 ? rows[0] : default;
        var status = rows.Count > 0 ? first.Status ?? DefaultStatus : DefaultStatus;
        var phase = rows.Count > 0 ? first.Phase : final.Phase;
        var steps = new List<TaskGraphMcpTransition>
        {
            new(ChangeKinds.Create, status, phase, null, null, first.Actor, first.Reason, final.CreatedAt),
        };

        var time = final.CreatedAt;
        foreach (var row in rows.Skip(1))
        {
            var nextStatus = row.Status ?? status;
            var nextPhase = row.Phase ?? phase;
            time = row.At ?? time;
            var kind = nextStatus != status ? ChangeKinds.Status : nextPhase != phase ? ChangeKinds.Phase : ChangeKinds.Update;
            steps.Add(new(kind, nextStatus, nextPhase, status, phase, row.Actor, row.Reason, time));
            (status, phase) = (nextStatus, nextPhase);
        }

        if (status != final.Status || phase != final.Phase)
        {
            time = Math.Max(time, final.UpdatedAt);
            steps.Add(new(ImportChangeKind, final.Status, final.Phase, status, phase, null, "state of the task-graph-mcp row", time));
        }

        if (final.DeletedAt is { } deletedAt)
        {
            steps.Add(new(ChangeKinds.Delete, final.Status, final.Phase, final.Status, final.Phase, final.DeletedBy, final.DeletedReason, deletedAt));
        }

        var since = final.CreatedAt;
        string? sinceActor = null;
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            if (step.FromStatus is null || step.FromStatus != step.Status)
            {
                (since, sinceActor) = (step.At, step.Actor);
            }

            var change = new TaskChange { Kind = step.Kind, Actor = step.Actor, Reason = step.Reason, FromStatus = step.FromStatus, FromPhase = step.FromPhase };
            TaskRecord record;
            if (i == steps.Count - 1)
            {
                record = final with
                {
                    StatusSince = since,
                    FinishedBy = FinishedStatuses.Contains(final.Status, StringComparer.Ordinal) ? sinceActor : null,
                    Change = change,
                };
            }
            else if (step.Kind == ImportChangeKind)
            {
                record = final with { StatusSince = since, DeletedAt = null, DeletedBy = null, DeletedReason = null, Change = change };
            }
            else
            {
                record = Intermediate(final, step, since, change);
            }

            entries.Add(new SnapshotEntry(SnapshotEntryKind.Put, RecordKeys.Task(final.Id), RecordJson.Serialize(record, step.At, null)));
        }
    }

    /// <summary>
    /// A revision before the last: the row's descriptive fields, the step's status and phase, and only what is known to
    /// hold at the step's time (attachments made by then, the start if it came before); ownership, accruals and
    /// metrics are not recorded per transition, so they are left at their initial values until the last revision.
    /// </summary>
    private static TaskRecord Intermediate(TaskRecord final, TaskGraphMcpTransition step, long since, TaskChange change)
    {
        var attachments = final.Attachments?.Where(a => a.CreatedAt <= step.At).ToList();
        return final with
        {
            Status = step.Status,
            Phase = step.Phase,
            Owner = null,
            LeaseEpoch = 0,
            ClaimedAt = null,
            FinishedBy = null,
            TimeActualMs = 0,
            StartedAt = final.StartedAt is { } started && started <= step.At ? started : null,
            CompletedAt = step.Status == "completed" ? (final.CompletedAt is { } done && done <= step.At ? done : step.At) : null,
            StatusSince = since,
            CurrentThought = null,
            Attachments = attachments is { Count: > 0 } ? attachments : null,
            Metrics = [],
            CostUsd = 0,
            UpdatedAt = step.At,
            DeletedAt = null,
            DeletedBy = null,
            DeletedReason = null,
            Change = change,
        };
    }

    private static List<DependencyEdge> ReadEdges(JsonElement tables, OrderedDictionary<string, TaskRecord> tasks)
    {
        var edges = new List<DependencyEdge>();
        var seen = new HashSet<DependencyEdge>();
        var index = 0;
        foreach (var row in Rows(tables, "dependencies"))
        {
            var where = $"tables.dependencies[{index.ToString(CultureInfo.InvariantCulture)}]";
            index++;
            var from = Text(row, where, "from_task_id", "from", "from_id")
                ?? throw new SnapshotFormatException($"{where} has no from_task_id.");
            var to = Text(row, where, "to_task_id", "to", "to_id")
                ?? throw new SnapshotFormatException($"{where} has no to_task_id.");
            var type = NonEmpty(Text(row, where, "dep_type", "type", "dependency_type")) ?? DefaultDependencyType;
            var edge = new DependencyEdge(from, to, type);
            if (from != to && tasks.ContainsKey(from) && tasks.ContainsKey(to) && seen.Add(edge))
            {
                edges.Add(edge);
            }
        }

        return edges;
    }

    private static List<JsonElement> Rows(JsonElement tables, string name)
    {
        if (!tables.TryGetProperty(name, out var table) || table.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (table.ValueKind != JsonValueKind.Array)
        {
            throw new SnapshotFormatException($"tables.{name} should be an array of rows, got a JSON {Kind(table)}.");
        }

        var rows = new List<JsonElement>();
        foreach (var row in table.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Object)
            {
                throw new SnapshotFormatException(string.Create(CultureInfo.InvariantCulture, $"tables.{name}[{rows.Count}] should be a row object, got a JSON {Kind(row)}."));
            }

            rows.Add(row);
        }

        return rows;
    }

    private static IReadOnlyList<string> Union(IReadOnlyList<string> first, IEnumerable<string> second) =>
        [.. first.Concat(second).Distinct(StringComparer.Ordinal)];

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    private static string Kind(JsonElement element) => element.ValueKind.ToString().ToLowerInvariant();
}
