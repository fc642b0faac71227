using System.Text.Json.Serialization;

namespace TaskGraph.Core.Records;

/// <summary>A task as stored under <c>task.&lt;id&gt;</c>. Immutable; writers derive a new one with <c>with</c>.</summary>
public sealed record TaskRecord
{
    /// <summary>The task id (1..64 characters).</summary>
    public required string Id { get; init; }

    /// <summary>Short title.</summary>
    public string Title { get; init; } = string.Empty;

    /// <summary>Longer description.</summary>
    public string? Description { get; init; }

    /// <summary>Current workflow state.</summary>
    public required string Status { get; init; }

    /// <summary>Current phase (free string; config lists the known ones).</summary>
    public string? Phase { get; init; }

    /// <summary>The worker that owns the task, if any.</summary>
    [JsonPropertyName("worker_id")]
    public string? Owner { get; init; }

    /// <summary>Bumped on every change of owner, so a former owner's write is recognisably stale.</summary>
    public long LeaseEpoch { get; init; }

    /// <summary>
    /// Workers that lost their claim on this task to someone else and have not claimed it again (newest last, at most
    /// <c>ClaimFence.MaxEntries</c>); their late writes are refused. Null when none.
    /// </summary>
    public IReadOnlyList<FencedClaim>? Fenced { get; init; }

    /// <summary>Who moved the task into its current finished state (untimed and not blocking: completed, failed, cancelled).</summary>
    public string? FinishedBy { get; init; }

    /// <summary>When the current owner claimed it (epoch ms).</summary>
    public long? ClaimedAt { get; init; }

    /// <summary>Priority 0..10, default 5.</summary>
    public int Priority { get; init; } = 5;

    /// <summary>Story points.</summary>
    public int? Points { get; init; }

    /// <summary>Estimated time in ms.</summary>
    public long? TimeEstimateMs { get; init; }

    /// <summary>Time accrued in timed states, in ms.</summary>
    public long TimeActualMs { get; init; }

    /// <summary>First entry into a timed state (epoch ms).</summary>
    public long? StartedAt { get; init; }

    /// <summary>When the task reached status "completed" (epoch ms).</summary>
    public long? CompletedAt { get; init; }

    /// <summary>When the current status was entered (epoch ms); drives time accrual.</summary>
    public long StatusSince { get; init; }

    /// <summary>Descriptive tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Tags a claimant must all have.</summary>
    public IReadOnlyList<string> NeededTags { get; init; } = [];

    /// <summary>Tags of which a claimant must have at least one.</summary>
    public IReadOnlyList<string> WantedTags { get; init; } = [];

    /// <summary>
    /// The owner's latest thought, as the queries show it: laid over from the owner's liveness record (volatile, see
    /// <see cref="LivenessRecord.Thought"/>). The rules never write it; records written before thoughts became volatile
    /// may still carry one, which the queries replace.
    /// </summary>
    public string? CurrentThought { get; init; }

    /// <summary>The task's attachments (metadata; each content lives in its own record); null when it has none.</summary>
    public IReadOnlyList<AttachmentMeta>? Attachments { get; init; }

    /// <summary>Eight custom integer metrics.</summary>
    public IReadOnlyList<long> Metrics { get; init; } = [];

    /// <summary>Accumulated cost in USD.</summary>
    public double CostUsd { get; init; }

    /// <summary>Creation time (epoch ms).</summary>
    public long CreatedAt { get; init; }

    /// <summary>Last change (epoch ms).</summary>
    public long UpdatedAt { get; init; }

    /// <summary>Soft-delete time (epoch ms).</summary>
    public long? DeletedAt { get; init; }

    /// <summary>Who soft-deleted it.</summary>
    public string? DeletedBy { get; init; }

    /// <summary>Why it was soft-deleted.</summary>
    public string? DeletedReason { get; init; }

    /// <summary>What the write that produced this revision did; history is derived from it.</summary>
    public TaskChange? Change { get; init; }

    /// <summary>True when soft-deleted.</summary>
    [JsonIgnore]
    public bool IsDeleted => DeletedAt is not null;
}
