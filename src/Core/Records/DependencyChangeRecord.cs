namespace TaskGraph.Core.Records;

/// <summary>
/// One revision of <c>graph.deps</c> as stored (docs/adr/0002). Format 2, written today: the change itself, the edges
/// <see cref="Added"/> and <see cref="Removed"/> on top of revision <see cref="Base"/>, and the edge count after it, so
/// a link writes a few dozen bytes however large the graph is. Format 1, written before: every edge of the graph in
/// <see cref="Edges"/>. The edge set at a revision is the last format-1 snapshot with every later change applied in
/// order; each change names its base, so a gap in the history is detected, never silently skipped.
/// </summary>
public sealed record DependencyChangeRecord
{
    /// <summary>The format written now.</summary>
    public const int ChangeFormat = 2;

    /// <summary>2 for a change; absent (0) or 1 for a snapshot of every edge.</summary>
    public int Format { get; init; }

    /// <summary>The revision of <c>graph.deps</c> this change applies to (0 = the empty graph).</summary>
    public ulong Base { get; init; }

    /// <summary>Edges this change adds.</summary>
    public IReadOnlyList<DependencyEdge>? Added { get; init; }

    /// <summary>Edges this change removes.</summary>
    public IReadOnlyList<DependencyEdge>? Removed { get; init; }

    /// <summary>How many edges the graph has after this change (a check on replay).</summary>
    public int Count { get; init; }

    /// <summary>Format 1 only: every edge, in insertion order.</summary>
    public IReadOnlyList<DependencyEdge>? Edges { get; init; }

    /// <summary>Who made the change, for the audit trail.</summary>
    public string? Actor { get; init; }

    /// <summary>True for a format-1 snapshot (every edge), false for a change.</summary>
    public bool IsSnapshot => Format < ChangeFormat;

    /// <summary>
    /// The edge set after this revision, given the edge set at <see cref="Base"/> (ignored for a snapshot): removed edges
    /// leave, added ones join at the end, in order.
    /// </summary>
    public IReadOnlyList<DependencyEdge> ApplyTo(IReadOnlyList<DependencyEdge> before)
    {
        ArgumentNullException.ThrowIfNull(before);
        if (IsSnapshot)
        {
            return Edges ?? [];
        }

        var removed = new HashSet<DependencyEdge>(Removed ?? []);
        var after = new List<DependencyEdge>(before.Count + (Added?.Count ?? 0));
        var present = new HashSet<DependencyEdge>();
        foreach (var edge in before)
        {
            if (!removed.Contains(edge) && present.Add(edge))
            {
                after.Add(edge);
            }
        }

        foreach (var edge in Added ?? [])
        {
            if (present.Add(edge))
            {
                after.Add(edge);
            }
        }

        return after;
    }

    /// <summary>The change from <paramref name="before"/> (at revision <paramref name="baseRevision"/>) to <paramref name="after"/>.</summary>
    public static DependencyChangeRecord Between(IReadOnlyList<DependencyEdge> before, ulong baseRevision, IReadOnlyList<DependencyEdge> after, string? actor)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);

        var old = new HashSet<DependencyEdge>(before);
        var next = new HashSet<DependencyEdge>(after);
        return new DependencyChangeRecord
        {
            Format = ChangeFormat,
            Base = baseRevision,
            Added = [.. after.Where(e => !old.Contains(e)).Distinct()],
            Removed = [.. before.Where(e => !next.Contains(e)).Distinct()],
            Count = next.Count,
            Actor = actor,
        };
    }
}
