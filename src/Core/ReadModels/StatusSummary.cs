namespace TaskGraph.Core.ReadModels;

/// <summary>
/// The graph (or one task's subtree) at a glance: tasks per status and phase, how many are ready, blocked and claimed,
/// points in all and done (no longer blocking), cost and time spent, and the workers registered. Soft-deleted tasks are
/// left out.
/// </summary>
public sealed record StatusSummary
{
    /// <summary>Tasks counted.</summary>
    public required int Total { get; init; }

    /// <summary>Tasks per status.</summary>
    public required IReadOnlyDictionary<string, int> ByStatus { get; init; }

    /// <summary>Tasks per phase (tasks without a phase are not listed).</summary>
    public required IReadOnlyDictionary<string, int> ByPhase { get; init; }

    /// <summary>Tasks ready to claim.</summary>
    public required int Ready { get; init; }

    /// <summary>Tasks in the initial state waiting on an unfinished predecessor.</summary>
    public required int Blocked { get; init; }

    /// <summary>Tasks someone owns.</summary>
    public required int Claimed { get; init; }

    /// <summary>Story points of all counted tasks.</summary>
    public required long PointsTotal { get; init; }

    /// <summary>Story points of counted tasks no longer in a blocking state.</summary>
    public required long PointsDone { get; init; }

    /// <summary>Cost logged, in USD.</summary>
    public required double CostUsd { get; init; }

    /// <summary>Time spent in timed states, in ms.</summary>
    public required long TimeActualMs { get; init; }

    /// <summary>Workers registered (the whole graph's, also for a subtree).</summary>
    public required int Workers { get; init; }
}
