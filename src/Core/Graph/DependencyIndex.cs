using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;

namespace TaskGraph.Core.Graph;

/// <summary>
/// The edge set of <c>graph.deps</c> materialised in this process at one revision, kept current from the record's own
/// change history (docs/adr/0002): a read that finds the head at the revision it holds costs one small get; a newer head
/// whose base is the held revision is applied directly; otherwise the changes after the held revision are read (one
/// history query) and applied in order. Thread-safe; callers get immutable snapshots.
/// </summary>
public sealed class DependencyIndex
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<DependencyEdge, long> _order = [];
    private long _nextOrder;
    private ulong _revision;
    private IReadOnlyList<DependencyEdge> _snapshot = [];

    /// <summary>
    /// The edges at <paramref name="head"/>'s revision or later (never earlier): the head as just read from the store,
    /// null when <c>graph.deps</c> does not exist.
    /// </summary>
    public async ValueTask<(IReadOnlyList<DependencyEdge> Edges, ulong Revision)> AtAsync(RecordEntry? head, IRecordStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        cancellationToken.ThrowIfCancellationRequested();
        var wanted = head?.Revision ?? 0;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (head is null && _revision > 0)
            {
                // The record was deleted (never by the rules): start again from nothing.
                Reset();
                return (_snapshot, 0);
            }

            if (head is null || wanted <= _revision)
            {
                return (_snapshot, _revision);
            }

            var change = RecordJson.Deserialize<DependencyChangeRecord>(head.Value);
            if (change.IsSnapshot || change.Base == _revision)
            {
                Apply(change, head.Revision);
            }
            else
            {
                foreach (var missed in await store.HistoryAsync(RecordKeys.Dependencies, _revision, cancellationToken).ConfigureAwait(false))
                {
                    if (missed.Revision > wanted)
                    {
                        break;
                    }

                    if (missed.Kind == ChangeKind.Delete)
                    {
                        Reset();
                        _revision = missed.Revision;
                        continue;
                    }

                    Apply(RecordJson.Deserialize<DependencyChangeRecord>(missed.Value), missed.Revision);
                }

                if (_revision != wanted)
                {
                    throw Gap(wanted);
                }
            }

            _snapshot = [.. _order.OrderBy(e => e.Value).Select(e => e.Key)];
            return (_snapshot, _revision);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The edges this process holds and their revision, without reading the store.</summary>
    public async ValueTask<(IReadOnlyList<DependencyEdge> Edges, ulong Revision)> CurrentAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return (_snapshot, _revision);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Takes in a change this process wrote itself (at <paramref name="revision"/>), when the index held its base.</summary>
    public void Wrote(DependencyChangeRecord change, ulong revision)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (!_gate.Wait(0))
        {
            // Another caller is catching up; it will read this change from the store.
            return;
        }

        try
        {
            if (_revision == change.Base && revision > _revision)
            {
                Apply(change, revision);
                _snapshot = [.. _order.OrderBy(e => e.Value).Select(e => e.Key)];
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Apply(DependencyChangeRecord change, ulong revision)
    {
        if (change.IsSnapshot)
        {
            _order.Clear();
            foreach (var edge in change.Edges ?? [])
            {
                _order.TryAdd(edge, _nextOrder++);
            }
        }
        else
        {
            if (change.Base != _revision)
            {
                throw Gap(revision);
            }

            foreach (var edge in change.Removed ?? [])
            {
                _order.Remove(edge);
            }

            foreach (var edge in change.Added ?? [])
            {
                _order.TryAdd(edge, _nextOrder++);
            }

            if (_order.Count != change.Count)
            {
                throw new InvalidOperationException(
                    $"graph.deps revision {revision} says the graph has {change.Count} edges, its history gives {_order.Count}: the store's history of graph.deps is incomplete or was edited.");
            }
        }

        _revision = revision;
    }

    private void Reset()
    {
        _order.Clear();
        _revision = 0;
        _snapshot = [];
    }

    private InvalidOperationException Gap(ulong wanted) => new(
        $"graph.deps history does not lead from revision {_revision} to {wanted}: the store's history of graph.deps is incomplete (a bucket that keeps only recent revisions?).");
}
