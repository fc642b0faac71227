namespace TaskGraph.Core.Records;

/// <summary>
/// Describes the write that produced a task revision: enough to derive history from the store's own change log
/// (no separate history write that could be lost between two steps).
/// </summary>
public sealed record TaskChange
{
    /// <summary>What happened: create, update, status, phase, claim, release, delete, rename, evict, auto-advance, metrics.</summary>
    public required string Kind { get; init; }

    /// <summary>Who did it (worker id or principal), if known.</summary>
    public string? Actor { get; init; }

    /// <summary>Why, as given by the caller or the system.</summary>
    public string? Reason { get; init; }

    /// <summary>Status before this write (null for a create).</summary>
    public string? FromStatus { get; init; }

    /// <summary>Phase before this write.</summary>
    public string? FromPhase { get; init; }

    /// <summary>The id this task had before a rename.</summary>
    public string? RenamedFrom { get; init; }

    /// <summary>A unique token of the request that made this write, so an ambiguous (timed-out) write can be recognised on re-read.</summary>
    public string? RequestId { get; init; }
}
