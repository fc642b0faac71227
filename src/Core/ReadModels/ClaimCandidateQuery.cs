namespace TaskGraph.Core.ReadModels;

/// <summary>
/// What <c>claim</c> without a task looks for: ready tasks (initial state, unowned, not deleted, no unfinished start-blocking
/// predecessor, not a container) the worker qualifies for, within optional filters.
/// </summary>
public sealed record ClaimCandidateQuery
{
    /// <summary>The claiming worker (its own tasks are not counted as claimed by others).</summary>
    public required string WorkerId { get; init; }

    /// <summary>The worker's tags: a candidate's needed tags must all be among them, and one of its wanted tags if it has any.</summary>
    public IReadOnlyList<string> AgentTags { get; init; } = [];

    /// <summary>Only tasks having at least one of these tags (empty = no filter).</summary>
    public IReadOnlyList<string> TagsAny { get; init; } = [];

    /// <summary>Only tasks in this phase.</summary>
    public string? Phase { get; init; }

    /// <summary>Only direct <c>contains</c> children of this task.</summary>
    public string? Parent { get; init; }

    /// <summary>Most candidates to return.</summary>
    public int Limit { get; init; } = 64;
}
