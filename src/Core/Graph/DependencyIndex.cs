using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;

namespace TaskGraph.Core.Graph;

/// <summary>
/// The edge set of <c>graph.deps</c> materialised in this process at one revision, kept current from the record's own
/// change history (docs/adr/0002): a read that finds the head at the revision it holds costs one small get; a newer head
/// whose base is the held revision is applied directly; otherwise the changes after the held revision are read (one
/// history query) and applied in order. Thread-safe; callers get immutable snapshots.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A SemaphoreSlim needs disposing only once its AvailableWaitHandle is used, which this type never does; late callers may still wait on it after disposal.")]
public sealed class DependencyIndex
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly HashSet<DependencyEdge> _edges = [];
    private ulong _revision;

    // The edges in insertion order; replaced, never changed, so a snapshot handed out stays valid. Each snapshot has its
    // adjacency attached (EdgeAdjacency.Of), updated by the change rather than rebuilt.
    private IReadOnlyList<DependencyEdge> _snapshot = [];
    private EdgeAdjacency _adjacency = EdgeAdjacency.Empty;

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

            return (_snapshot, _revision);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The change that turns the edges held at <paramref name="expectedRevision"/> into <paramref name="after"/>, or null
    /// when this process already holds a newer revision (the head has moved: the swap would lose). A list that keeps the
    /// held edges (the very objects read) and appends some, which is what a link or a tree makes, costs a pass over
    /// references and a lookup per new edge.
    /// </summary>
    public async ValueTask<DependencyChangeRecord?> ChangeToAsync(IReadOnlyList<DependencyEdge> after, ulong expectedRevision, string? actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(after);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_revision != expectedRevision)
            {
                return null;
            }

            var before = _snapshot;
            var keepsAll = after.Count >= before.Count;
            for (var i = 0; keepsAll && i < before.Count; i++)
            {
                keepsAll = ReferenceEquals(before[i], after[i]);
            }

            if (!keepsAll)
            {
                return DependencyChangeRecord.Between(before, expectedRevision, after, actor);
            }

            var fresh = new HashSet<DependencyEdge>();
            var added = new List<DependencyEdge>();
            for (var i = before.Count; i < after.Count; i++)
            {
                if (!_edges.Contains(after[i]) && fresh.Add(after[i]))
                {
                    added.Add(after[i]);
                }
            }

            return new DependencyChangeRecord
            {
                Format = DependencyChangeRecord.ChangeFormat,
                Base = expectedRevision,
                Added = added,
                Removed = [],
                Count = _edges.Count + added.Count,
                Actor = actor,
            };
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
            _edges.Clear();
            var ordered = new List<DependencyEdge>();
            foreach (var edge in change.Edges ?? [])
            {
                if (_edges.Add(edge))
                {
                    ordered.Add(edge);
                }
            }

            _snapshot = ordered;
            _adjacency = EdgeAdjacency.Empty.With([], ordered);
            EdgeAdjacency.Attach(_snapshot, _adjacency);
        }
        else
        {
            if (change.Base != _revision)
            {
                throw Gap(revision);
            }

            var removed = (change.Removed ?? []).Where(_edges.Remove).ToHashSet();
            var added = (change.Added ?? []).Where(_edges.Add).ToList();
            if (_edges.Count != change.Count)
            {
                throw new InvalidOperationException(
                    $"graph.deps revision {revision} says the graph has {change.Count} edges, its history gives {_edges.Count}: the store's history of graph.deps is incomplete or was edited.");
            }

            if (removed.Count > 0 || added.Count > 0)
            {
                // Insertion order: what stays, then what this change added.
                var kept = removed.Count == 0 ? _snapshot : _snapshot.Where(e => !removed.Contains(e));
                _snapshot = [.. kept, .. added];
                _adjacency = _adjacency.With(removed, added);
                EdgeAdjacency.Attach(_snapshot, _adjacency);
            }
        }

        _revision = revision;
    }

    private void Reset()
    {
        _edges.Clear();
        _revision = 0;
        _snapshot = [];
        _adjacency = EdgeAdjacency.Empty;
    }

    private InvalidOperationException Gap(ulong wanted) => new(
        $"graph.deps history does not lead from revision {_revision} to {wanted}: the store's history of graph.deps is incomplete (a bucket that keeps only recent revisions?).");
}
