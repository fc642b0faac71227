namespace TaskGraph.Core.Verification;

/// <summary>
/// The facts the history checker judges by, given as data (not read from the rules code), so a bug in the rules cannot
/// also blind the check. The defaults are those of the built-in workflow and dependency types.
/// </summary>
public sealed record HistoryCheckOptions
{
    /// <summary>Most tasks one worker may own at any point.</summary>
    public int ClaimLimit { get; init; } = 5;

    /// <summary>Dependency types whose source must be finished before the target may be claimed.</summary>
    public IReadOnlyList<string> StartBlockingTypes { get; init; } = ["blocks", "follows"];

    /// <summary>States in which a predecessor is unfinished (still blocks its dependents, or keeps a parent open).</summary>
    public IReadOnlyList<string> BlockingStates { get; init; } = ["pending", "assigned", "working"];

    /// <summary>Parent/child dependency types: a parent may not complete while a child is unfinished.</summary>
    public IReadOnlyList<string> VerticalTypes { get; init; } = ["contains"];

    /// <summary>The state every task must end in, entered exactly once.</summary>
    public string CompletedState { get; init; } = "completed";

    /// <summary>Require every task to end completed exactly once (off for partial histories).</summary>
    public bool RequireAllCompleted { get; init; } = true;

    /// <summary>How many violations are kept in full (the count is always exact).</summary>
    public int MaxReported { get; init; } = 200;
}
