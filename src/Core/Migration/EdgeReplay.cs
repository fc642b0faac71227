using TaskGraph.Core.Records;

namespace TaskGraph.Core.Migration;

/// <summary>
/// The edge set of <c>graph.deps</c> followed through its revisions in O(size of each change), where
/// <see cref="DependencyChangeRecord.ApplyTo"/> copies every edge per revision (a graph built by ten thousand calls would
/// cost ten thousand copies of the whole set). Same result: a snapshot replaces the set, a change drops its removed
/// edges and appends its added ones in order.
/// </summary>
public sealed class EdgeReplay
{
    private readonly Dictionary<DependencyEdge, long> _order = [];
    private long _next;

    /// <summary>How many edges there are now.</summary>
    public int Count => _order.Count;

    /// <summary>The edges now, in insertion order.</summary>
    public IReadOnlyList<DependencyEdge> Edges => [.. _order.OrderBy(e => e.Value).Select(e => e.Key)];

    /// <summary>The edges now, as a set.</summary>
    public IReadOnlyCollection<DependencyEdge> Set => _order.Keys;

    /// <summary>Applies one revision of <c>graph.deps</c> (its stored JSON).</summary>
    public void Apply(ReadOnlyMemory<byte> value) => Apply(RecordJson.Deserialize<DependencyChangeRecord>(value));

    /// <summary>Applies one revision of <c>graph.deps</c>.</summary>
    public void Apply(DependencyChangeRecord change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.IsSnapshot)
        {
            Clear();
            foreach (var edge in change.Edges ?? [])
            {
                _order.TryAdd(edge, _next++);
            }

            return;
        }

        foreach (var edge in change.Removed ?? [])
        {
            _order.Remove(edge);
        }

        foreach (var edge in change.Added ?? [])
        {
            _order.TryAdd(edge, _next++);
        }
    }

    /// <summary>Empties the set (a deleted <c>graph.deps</c>).</summary>
    public void Clear() => _order.Clear();
}
