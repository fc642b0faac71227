using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;

namespace TaskGraph.Tests.ReadModels;

/// <summary>Writes records the way the rules engine will (each revision says what it did), for read-model tests.</summary>
internal sealed class StoreWriter(IRecordStore store, TimeProvider time)
{
    public long NowMs => time.GetUtcNow().ToUnixTimeMilliseconds();

    public async Task<WriteResult> CreateTaskAsync(
        string id,
        string title = "",
        string? description = null,
        int priority = 5,
        IReadOnlyList<string>? tags = null,
        IReadOnlyList<string>? needed = null,
        IReadOnlyList<string>? wanted = null,
        string? phase = null,
        string status = "pending",
        string? actor = null,
        CancellationToken ct = default)
    {
        var task = new TaskRecord
        {
            Id = id,
            Title = title.Length == 0 ? id : title,
            Description = description,
            Status = status,
            Phase = phase,
            Priority = priority,
            Tags = tags ?? [],
            NeededTags = needed ?? [],
            WantedTags = wanted ?? [],
            CreatedAt = NowMs,
            UpdatedAt = NowMs,
            StatusSince = NowMs,
            Change = new TaskChange { Kind = "create", Actor = actor },
        };
        var key = RecordKeys.Task(id);
        return new WriteResult(key, await store.CreateAsync(key, RecordJson.Serialize(task), ct));
    }

    public Task<WriteResult> SetStatusAsync(string id, string status, string? owner = null, string? reason = null, string? actor = null, CancellationToken ct = default) =>
        ChangeTaskAsync(
            id,
            t => t with
            {
                Status = status,
                Owner = owner,
                ClaimedAt = owner is null ? null : NowMs,
                StatusSince = NowMs,
                Change = new TaskChange { Kind = "status", Actor = actor ?? owner, Reason = reason, FromStatus = t.Status },
            },
            ct);

    public Task<WriteResult> SetPhaseAsync(string id, string phase, CancellationToken ct = default) =>
        ChangeTaskAsync(id, t => t with { Phase = phase, Change = new TaskChange { Kind = "phase", FromPhase = t.Phase } }, ct);

    public async Task<WriteResult> ChangeTaskAsync(string id, Func<TaskRecord, TaskRecord> change, CancellationToken ct = default)
    {
        var key = RecordKeys.Task(id);
        var entry = await store.GetAsync(key, ct) ?? throw new InvalidOperationException($"no task {id}");
        var updated = change(RecordJson.Deserialize<TaskRecord>(entry.Value)) with { UpdatedAt = NowMs };
        return new WriteResult(key, await store.UpdateAsync(key, RecordJson.Serialize(updated), entry.Revision, ct));
    }

    public async Task<WriteResult> ObliterateAsync(string id, CancellationToken ct = default)
    {
        var key = RecordKeys.Task(id);
        var entry = await store.GetAsync(key, ct) ?? throw new InvalidOperationException($"no task {id}");
        return new WriteResult(key, await store.DeleteAsync(key, entry.Revision, ct));
    }

    /// <summary>Writes the task under its new id (naming the old one), then deletes the old key, as a rename does.</summary>
    public async Task<WriteResult> RenameAsync(string oldId, string newId, CancellationToken ct = default)
    {
        var oldKey = RecordKeys.Task(oldId);
        var entry = await store.GetAsync(oldKey, ct) ?? throw new InvalidOperationException($"no task {oldId}");
        var renamed = RecordJson.Deserialize<TaskRecord>(entry.Value) with
        {
            Id = newId,
            UpdatedAt = NowMs,
            Change = new TaskChange { Kind = "rename", RenamedFrom = oldId },
        };
        await store.CreateAsync(RecordKeys.Task(newId), RecordJson.Serialize(renamed), ct);
        return new WriteResult(oldKey, await store.DeleteAsync(oldKey, entry.Revision, ct));
    }

    public async Task<WriteResult> LinkAsync(string from, string to, string type = "blocks", CancellationToken ct = default)
    {
        var entry = await store.GetAsync(RecordKeys.Dependencies, ct);
        var graph = entry is null ? new DependencyGraphRecord() : RecordJson.Deserialize<DependencyGraphRecord>(entry.Value);
        var updated = graph with { Edges = [.. graph.Edges, new DependencyEdge(from, to, type)] };
        return await PutGraphAsync(updated, entry, ct);
    }

    public async Task<WriteResult> UnlinkAsync(string from, string to, string type = "blocks", CancellationToken ct = default)
    {
        var entry = await store.GetAsync(RecordKeys.Dependencies, ct) ?? throw new InvalidOperationException("no graph");
        var graph = RecordJson.Deserialize<DependencyGraphRecord>(entry.Value);
        var updated = graph with { Edges = [.. graph.Edges.Where(e => e != new DependencyEdge(from, to, type))] };
        return await PutGraphAsync(updated, entry, ct);
    }

    public async Task<WriteResult> PutWorkerAsync(string id, IReadOnlyList<string>? tags = null, CancellationToken ct = default)
    {
        var key = RecordKeys.Worker(id);
        var worker = new WorkerRecord { Id = id, Tags = tags ?? [], MaxClaims = 5, RegisteredAt = NowMs, LastHeartbeat = NowMs, HeartbeatDeadline = NowMs + 60_000 };
        var entry = await store.GetAsync(key, ct);
        var rev = entry is null
            ? await store.CreateAsync(key, RecordJson.Serialize(worker), ct)
            : await store.UpdateAsync(key, RecordJson.Serialize(worker), entry.Revision, ct);
        return new WriteResult(key, rev);
    }

    public async Task<WriteResult> MarkAsync(string path, string agent, string? taskId = null, string? reason = null, CancellationToken ct = default)
    {
        var key = RecordKeys.Mark(path);
        var mark = new MarkRecord { File = path, Agent = agent, TaskId = taskId, Reason = reason, MarkedAt = NowMs, IsLock = path.StartsWith("lock:", StringComparison.Ordinal) };
        var entry = await store.GetAsync(key, ct);
        var rev = entry is null
            ? await store.CreateAsync(key, RecordJson.Serialize(mark), ct)
            : await store.UpdateAsync(key, RecordJson.Serialize(mark), entry.Revision, ct);
        return new WriteResult(key, rev);
    }

    public async Task<WriteResult> UnmarkAsync(string path, CancellationToken ct = default)
    {
        var key = RecordKeys.Mark(path);
        var entry = await store.GetAsync(key, ct) ?? throw new InvalidOperationException($"no mark {path}");
        return new WriteResult(key, await store.DeleteAsync(key, entry.Revision, ct));
    }

    private async Task<WriteResult> PutGraphAsync(DependencyGraphRecord graph, RecordEntry? entry, CancellationToken ct)
    {
        var rev = entry is null
            ? await store.CreateAsync(RecordKeys.Dependencies, RecordJson.Serialize(graph), ct)
            : await store.UpdateAsync(RecordKeys.Dependencies, RecordJson.Serialize(graph), entry.Revision, ct);
        return new WriteResult(RecordKeys.Dependencies, rev);
    }
}
