using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;

namespace TaskGraph.Core.Graph;

/// <summary>
/// Typed access to the records of one graph over the store port. Every write names an expected revision and carries
/// the time it was made by <paramref name="time"/> (<see cref="RecordJson.Serialize{T}(T, long?, AuditStamp?)"/>).
/// </summary>
public sealed class GraphRecords(IRecordStore store, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The volatile key space: the store's own when it has one, else kept in the durable store.</summary>
    public ILivenessStore Liveness { get; } = DurableLiveness.For(store);

    private readonly DependencyIndex _dependencies = new();

    /// <summary>The underlying store.</summary>
    public IRecordStore Store { get; } = store;

    /// <summary>Reads a task.</summary>
    public ValueTask<Versioned<TaskRecord>?> GetTaskAsync(string id, CancellationToken cancellationToken = default) =>
        GetAsync<TaskRecord>(RecordKeys.Task(id), cancellationToken);

    /// <summary>
    /// Reads a worker, its liveness (heartbeat, deadline, mark cursor) laid over it; the revision is the durable record's,
    /// for a compare-and-swap of the worker record.
    /// </summary>
    public async ValueTask<Versioned<WorkerRecord>?> GetWorkerAsync(string id, CancellationToken cancellationToken = default)
    {
        var live = GetLivenessAsync(id, cancellationToken).AsTask();
        var worker = await GetAsync<WorkerRecord>(RecordKeys.Worker(id), cancellationToken).ConfigureAwait(false);
        var liveness = await live.ConfigureAwait(false);
        return worker is { } w && liveness is { } l ? w with { Value = l.Value.Over(w.Value) } : worker;
    }

    /// <summary>Every worker, each with its liveness laid over it (<see cref="GetWorkerAsync"/>).</summary>
    public async ValueTask<IReadOnlyList<Versioned<WorkerRecord>>> ListWorkersAsync(CancellationToken cancellationToken = default)
    {
        var live = Liveness.ListLiveAsync(RecordKeys.LivePrefix, cancellationToken).AsTask();
        var entries = await Store.ListAsync(RecordKeys.WorkerPrefix, cancellationToken).ConfigureAwait(false);
        var byId = (await live.ConfigureAwait(false)).Select(e => RecordJson.Deserialize<LivenessRecord>(e.Value)).ToDictionary(l => l.Id, StringComparer.Ordinal);
        return [.. entries.Select(e =>
        {
            var worker = RecordJson.Deserialize<WorkerRecord>(e.Value);
            return new Versioned<WorkerRecord>(byId.TryGetValue(worker.Id, out var l) ? l.Over(worker) : worker, e.Revision);
        })];
    }

    /// <summary>A worker's liveness record, if it has one.</summary>
    public async ValueTask<Versioned<LivenessRecord>?> GetLivenessAsync(string id, CancellationToken cancellationToken = default)
    {
        var entry = await Liveness.GetLiveAsync(RecordKeys.Live(id), cancellationToken).ConfigureAwait(false);
        return entry is null ? null : new Versioned<LivenessRecord>(RecordJson.Deserialize<LivenessRecord>(entry.Value), entry.Revision);
    }

    /// <summary>Every worker's liveness record, by worker id.</summary>
    public async ValueTask<IReadOnlyDictionary<string, LivenessRecord>> ListLivenessAsync(CancellationToken cancellationToken = default)
    {
        var entries = await Liveness.ListLiveAsync(RecordKeys.LivePrefix, cancellationToken).ConfigureAwait(false);
        return entries.Select(e => RecordJson.Deserialize<LivenessRecord>(e.Value)).ToDictionary(l => l.Id, StringComparer.Ordinal);
    }

    /// <summary>Creates (expected 0) or compare-and-swaps a worker's liveness; nothing reaches the durable log.</summary>
    public ValueTask<ulong> PutLivenessAsync(LivenessRecord liveness, ulong expectedRevision, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(liveness);
        return Liveness.PutLiveAsync(RecordKeys.Live(liveness.Id), RecordJson.Serialize(liveness), expectedRevision, cancellationToken);
    }

    /// <summary>Removes a worker's liveness.</summary>
    public ValueTask RemoveLivenessAsync(string id, CancellationToken cancellationToken = default) =>
        Liveness.RemoveLiveAsync(RecordKeys.Live(id), cancellationToken);

    /// <summary>Reads a file mark.</summary>
    public ValueTask<Versioned<MarkRecord>?> GetMarkAsync(string file, CancellationToken cancellationToken = default) =>
        GetAsync<MarkRecord>(RecordKeys.Mark(file), cancellationToken);

    /// <summary>
    /// The dependency graph: every edge, at the revision of <c>graph.deps</c> a compare-and-swap must name (0 and no
    /// edges when it was never written). One small read when this process is current (<see cref="DependencyIndex"/>).
    /// </summary>
    public async ValueTask<Versioned<DependencyGraphRecord>> GetDependenciesAsync(CancellationToken cancellationToken = default)
    {
        var head = await Store.GetAsync(RecordKeys.Dependencies, cancellationToken).ConfigureAwait(false);
        var (edges, revision) = await _dependencies.AtAsync(head, Store, cancellationToken).ConfigureAwait(false);
        return new Versioned<DependencyGraphRecord>(new DependencyGraphRecord { Edges = edges }, revision);
    }

    /// <summary>Creates (expected 0) or compare-and-swaps a task; returns the new revision.</summary>
    public ValueTask<ulong> PutTaskAsync(TaskRecord task, ulong expectedRevision, CancellationToken cancellationToken = default) =>
        PutAsync(RecordKeys.Task(task.Id), task, expectedRevision, cancellationToken);

    /// <summary>Creates or compare-and-swaps a worker.</summary>
    public ValueTask<ulong> PutWorkerAsync(WorkerRecord worker, ulong expectedRevision, CancellationToken cancellationToken = default) =>
        PutAsync(RecordKeys.Worker(worker.Id), worker, expectedRevision, cancellationToken);

    /// <summary>Creates or compare-and-swaps a mark.</summary>
    public ValueTask<ulong> PutMarkAsync(MarkRecord mark, ulong expectedRevision, CancellationToken cancellationToken = default) =>
        PutAsync(RecordKeys.Mark(mark.File), mark, expectedRevision, cancellationToken);

    /// <summary>
    /// Replaces the dependency graph read at <paramref name="expectedRevision"/> with <paramref name="graph"/>'s edges, by
    /// one compare-and-swap that stores only the change (<see cref="DependencyChangeRecord"/>); returns the new revision.
    /// </summary>
    public async ValueTask<ulong> PutDependenciesAsync(DependencyGraphRecord graph, ulong expectedRevision, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(graph);
        // Null: this process has already seen a newer graph, so the head has moved and the swap would lose anyway.
        var change = await _dependencies.ChangeToAsync(graph.Edges, expectedRevision, graph.Actor, cancellationToken).ConfigureAwait(false)
            ?? throw new ConcurrencyConflictException(RecordKeys.Dependencies, expectedRevision);
        var written = await PutAsync(RecordKeys.Dependencies, change, expectedRevision, cancellationToken).ConfigureAwait(false);
        _dependencies.Wrote(change, written);
        return written;
    }

    /// <summary>Reads and decodes any record.</summary>
    public async ValueTask<Versioned<T>?> GetAsync<T>(string key, CancellationToken cancellationToken = default)
    {
        var entry = await Store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        return entry is null ? null : new Versioned<T>(RecordJson.Deserialize<T>(entry.Value), entry.Revision);
    }

    /// <summary>Creates (expected 0) or compare-and-swaps any record.</summary>
    /// <remarks>
    /// The record leads with <c>schema</c> and <c>changed_at</c>; inside a call stamped with <see cref="AuditStamp.Current"/>,
    /// it carries the stamp as <c>audit</c>.
    /// </remarks>
    public ValueTask<ulong> PutAsync<T>(string key, T value, ulong expectedRevision, CancellationToken cancellationToken = default)
    {
        var bytes = RecordJson.Serialize(value, _time.GetUtcNow().ToUnixTimeMilliseconds(), AuditStamp.Current);
        return expectedRevision == 0
            ? Store.CreateAsync(key, bytes, cancellationToken)
            : Store.UpdateAsync(key, bytes, expectedRevision, cancellationToken);
    }

    /// <summary>Deletes a record at an expected revision.</summary>
    public ValueTask<ulong> DeleteAsync(string key, ulong expectedRevision, CancellationToken cancellationToken = default) =>
        Store.DeleteAsync(key, expectedRevision, cancellationToken);
}
