namespace TaskGraph.Core.Tasks;

/// <summary>Claim the best task this worker may take now, optionally within filters (they combine with AND).</summary>
public sealed record ClaimNextRequest
{
    /// <summary>The claiming worker.</summary>
    public required string WorkerId { get; init; }

    /// <summary>Only tasks having at least one of these tags (empty = any task).</summary>
    public IReadOnlyList<string> TagsAny { get; init; } = [];

    /// <summary>Only tasks in this phase.</summary>
    public string? Phase { get; init; }

    /// <summary>Only direct <c>contains</c> children of this task.</summary>
    public string? Parent { get; init; }

    /// <summary>Which transition prompts the answer carries: caller (default), all or none.</summary>
    public string Prompts { get; init; } = "caller";
}
