namespace TaskGraph.Core.Verification;

/// <summary>What the history checker counted and found.</summary>
public sealed record HistoryCheckResult
{
    /// <summary>Changes read from the log.</summary>
    public long Changes { get; init; }

    /// <summary>Tasks seen.</summary>
    public int Tasks { get; init; }

    /// <summary>Transitions into the completed state.</summary>
    public int Completions { get; init; }

    /// <summary>Claims: a task gaining an owner it did not have.</summary>
    public int Claims { get; init; }

    /// <summary>Claims of a task that an earlier owner had held without completing it (its work was taken over).</summary>
    public int Takeovers { get; init; }

    /// <summary>Number of violations (exact, even when <see cref="Violations"/> is capped).</summary>
    public int ViolationCount { get; init; }

    /// <summary>The violations, up to <see cref="HistoryCheckOptions.MaxReported"/>.</summary>
    public IReadOnlyList<HistoryViolation> Violations { get; init; } = [];

    /// <summary>Violation counts by kind.</summary>
    public IReadOnlyDictionary<string, int> ViolationsByKind { get; init; } = new Dictionary<string, int>();
}
