namespace TaskGraph.Core.Records;

/// <summary>
/// All dependency edges of a graph in one record (<c>graph.deps</c>), so the acyclicity and single-parent checks
/// are one compare-and-swap: two nodes linking A->B and B->A at once cannot both win (docs/adr/0002).
/// </summary>
public sealed record DependencyGraphRecord
{
    /// <summary>The edges, in insertion order.</summary>
    public IReadOnlyList<DependencyEdge> Edges { get; init; } = [];

    /// <summary>Who made the last change, for the audit trail.</summary>
    public string? Actor { get; init; }
}
