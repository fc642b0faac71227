namespace TaskGraph.Core.Configuration;

/// <summary>
/// <c>auto_rollup</c>: when the last unfinished child of a parent finishes and at least one child completed, the parent
/// (unowned, or owned by whoever finished the child) moves to its workflow's completed state, and so on up the tree.
/// </summary>
public sealed record AutoRollupSettings
{
    /// <summary>On by default, as in task-graph-mcp 0.5.0.</summary>
    public bool Enabled { get; init; } = true;
}
