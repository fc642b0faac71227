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

    private readonly DependencyIndex _dependencies = new();

    /// <summary>The underlying store.</summary>
    public IRecordStore Store { get; } = store;

    /// <summary>Reads a task.</summary>
    public ValueTask<Versioned<TaskRecord>?> GetTaskAsync(string id, CancellationToken cancellationToken = default) =>
        GetAsync<TaskRecord>(RecordKeys.Task(id), cancellationToken);

    /// <summary>Reads a worker.</summary>
    public ValueTask<Versioned<WorkerRecord>?> GetWorkerAsync(string id, CancellationToken cancellationToken = default) =>
        GetAsync<WorkerRecord>(RecordKeys.Worker(id), cancellationToken);

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
