using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using TaskGraph.Core.Records;

namespace TaskGraph.Core.Graph;

/// <summary>
/// Edges by source and by target, immutable and updated by sharing structure: a change of a few edges costs a few
/// lookups, not a pass over the graph. <see cref="DependencyIndex"/> keeps one per snapshot it hands out, and graph
/// questions about that snapshot find it with <see cref="Of"/>.
/// </summary>
public sealed class EdgeAdjacency
{
    private static readonly ConditionalWeakTable<IReadOnlyList<DependencyEdge>, EdgeAdjacency> Attached = [];

    private EdgeAdjacency(ImmutableDictionary<string, ImmutableList<DependencyEdge>> outOf, ImmutableDictionary<string, ImmutableList<DependencyEdge>> into)
    {
        OutOf = outOf;
        Into = into;
    }

    /// <summary>No edges.</summary>
    public static EdgeAdjacency Empty { get; } = new(
        ImmutableDictionary.Create<string, ImmutableList<DependencyEdge>>(StringComparer.Ordinal),
        ImmutableDictionary.Create<string, ImmutableList<DependencyEdge>>(StringComparer.Ordinal));

    /// <summary>Edges by their source task.</summary>
    public ImmutableDictionary<string, ImmutableList<DependencyEdge>> OutOf { get; }

    /// <summary>Edges by their target task.</summary>
    public ImmutableDictionary<string, ImmutableList<DependencyEdge>> Into { get; }

    /// <summary>The adjacency kept for <paramref name="snapshot"/>, or null when it has none.</summary>
    public static EdgeAdjacency? Of(IReadOnlyList<DependencyEdge> snapshot) =>
        Attached.TryGetValue(snapshot, out var adjacency) ? adjacency : null;

    /// <summary>Keeps <paramref name="adjacency"/> for <paramref name="snapshot"/>, a list never changed afterwards.</summary>
    public static void Attach(IReadOnlyList<DependencyEdge> snapshot, EdgeAdjacency adjacency) => Attached.AddOrUpdate(snapshot, adjacency);

    /// <summary>This adjacency without <paramref name="removed"/> and with <paramref name="added"/>.</summary>
    public EdgeAdjacency With(IEnumerable<DependencyEdge> removed, IEnumerable<DependencyEdge> added)
    {
        var outOf = OutOf.ToBuilder();
        var into = Into.ToBuilder();
        foreach (var edge in removed)
        {
            Remove(outOf, edge.From, edge);
            Remove(into, edge.To, edge);
        }

        foreach (var edge in added)
        {
            outOf[edge.From] = (outOf.TryGetValue(edge.From, out var o) ? o : []).Add(edge);
            into[edge.To] = (into.TryGetValue(edge.To, out var i) ? i : []).Add(edge);
        }

        return new EdgeAdjacency(outOf.ToImmutable(), into.ToImmutable());
    }

    private static void Remove(ImmutableDictionary<string, ImmutableList<DependencyEdge>>.Builder map, string key, DependencyEdge edge)
    {
        if (map.TryGetValue(key, out var list))
        {
            var left = list.Remove(edge);
            if (left.IsEmpty)
            {
                map.Remove(key);
            }
            else
            {
                map[key] = left;
            }
        }
    }
}
