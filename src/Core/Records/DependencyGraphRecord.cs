namespace TaskGraph.Core.Records;

/// <summary>
/// Every dependency edge of a graph at one revision of <c>graph.deps</c>, as the rules read it; the acyclicity and
/// single-parent checks decide on it and write their change by one compare-and-swap, so two nodes linking A->B and B->A
/// at once cannot both win (docs/adr/0002). Also the shape of format-1 revisions, which stored every edge
/// (<see cref="DependencyChangeRecord"/> reads both).
/// </summary>
public sealed record DependencyGraphRecord
{
    /// <summary>The edges, in insertion order.</summary>
    public IReadOnlyList<DependencyEdge> Edges { get; init; } = [];

    /// <summary>Who made the last change, for the audit trail.</summary>
    public string? Actor { get; init; }
}
