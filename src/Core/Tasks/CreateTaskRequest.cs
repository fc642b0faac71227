namespace TaskGraph.Core.Tasks;

/// <summary>Arguments of create (and one node of create_tree).</summary>
public sealed record CreateTaskRequest
{
    /// <summary>Custom id; generated when null.</summary>
    public string? Id { get; init; }

    /// <summary>Title; derived from the description's first line when null.</summary>
    public string? Title { get; init; }

    /// <summary>Description.</summary>
    public string? Description { get; init; }

    /// <summary>Parent task (a <c>contains</c> edge).</summary>
    public string? Parent { get; init; }

    /// <summary>Priority 0..10.</summary>
    public int? Priority { get; init; }

    /// <summary>Story points.</summary>
    public int? Points { get; init; }

    /// <summary>Estimate in ms.</summary>
    public long? TimeEstimateMs { get; init; }

    /// <summary>Tags.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>Phase.</summary>
    public string? Phase { get; init; }

    /// <summary>Tags a claimant must all have.</summary>
    public IReadOnlyList<string>? NeededTags { get; init; }

    /// <summary>Tags of which a claimant needs one.</summary>
    public IReadOnlyList<string>? WantedTags { get; init; }

    /// <summary>Who creates it (for history), if known.</summary>
    public string? Actor { get; init; }
}
