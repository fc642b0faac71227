using TaskGraph.Core.Attachments;

namespace TaskGraph.Core.Tasks;

/// <summary>Arguments of update (claim has its own entry point, <see cref="TaskService.ClaimAsync(string, string, bool, CancellationToken)"/>).</summary>
public sealed record UpdateTaskRequest
{
    /// <summary>The calling worker.</summary>
    public required string WorkerId { get; init; }

    /// <summary>The task.</summary>
    public required string TaskId { get; init; }

    /// <summary>New status.</summary>
    public string? Status { get; init; }

    /// <summary>New phase.</summary>
    public string? Phase { get; init; }

    /// <summary>Assign to this worker (the status becomes the workflow's assigned state when not given).</summary>
    public string? Assignee { get; init; }

    /// <summary>New title.</summary>
    public string? Title { get; init; }

    /// <summary>New description.</summary>
    public string? Description { get; init; }

    /// <summary>New priority.</summary>
    public int? Priority { get; init; }

    /// <summary>New points.</summary>
    public int? Points { get; init; }

    /// <summary>New tags.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>New needed tags.</summary>
    public IReadOnlyList<string>? NeededTags { get; init; }

    /// <summary>New wanted tags.</summary>
    public IReadOnlyList<string>? WantedTags { get; init; }

    /// <summary>New estimate.</summary>
    public long? TimeEstimateMs { get; init; }

    /// <summary>Why (recorded in history).</summary>
    public string? Reason { get; init; }

    /// <summary>Attachments to add with this update (stored first; they count for the exit gates of this very update).</summary>
    public IReadOnlyList<AttachmentInput> InlineAttachments { get; init; } = [];

    /// <summary>The inline attachments with their content stored (set by the task rules, not by callers).</summary>
    public IReadOnlyList<AttachmentDraft> Attachments { get; init; } = [];

    /// <summary>
    /// Which transition prompts the answer carries: caller (default: those of the caller's own last status and phase to
    /// the new ones), all (those of the task's own change), none.
    /// </summary>
    public string Prompts { get; init; } = "caller";

    /// <summary>Bypass the owner guard, an existing claim and unsatisfied dependencies (not tags, legality, limits or children).</summary>
    public bool Force { get; init; }

    /// <summary>Move every unfinished descendant to <see cref="Status"/> (a terminal status) with the task (<see cref="SubtreeCascade"/>).</summary>
    public bool Cascade { get; init; }
}
