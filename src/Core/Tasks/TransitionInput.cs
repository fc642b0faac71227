using TaskGraph.Core.Records;
using TaskGraph.Core.Workflows;

namespace TaskGraph.Core.Tasks;

/// <summary>Everything a transition is decided from: what was read, who asks, and what is asked. Nothing in it reads the store.</summary>
public sealed record TransitionInput
{
    /// <summary>The task as read.</summary>
    public required TaskRecord Task { get; init; }

    /// <summary>The caller, registered and alive.</summary>
    public required WorkerRecord Caller { get; init; }

    /// <summary>Whether the task's owner (when it has one) holds a live lease; the caller counts as alive.</summary>
    public required bool OwnerAlive { get; init; }

    /// <summary>The caller's workflow.</summary>
    public required WorkflowDefinition Workflow { get; init; }

    /// <summary>The request, its tags already validated.</summary>
    public required UpdateTaskRequest Request { get; init; }

    /// <summary>True for claim (the worker's claim state, ALREADY_CLAIMED over NOT_OWNER); false for update.</summary>
    public bool IsClaim { get; init; }

    /// <summary>The assignee as read, when the request names one (null: unknown worker).</summary>
    public WorkerRecord? Assignee { get; init; }

    /// <summary>Whether the assignee's lease holds.</summary>
    public bool AssigneeAlive { get; init; }

    /// <summary>
    /// The caller's status and phase before this request (its first attempt's read; a claim's reservation moves them), the
    /// start of its <c>caller</c> prompts.
    /// </summary>
    public (string? Status, string? Phase)? PromptFrom { get; init; }

    /// <summary>The neighbour facts read so far.</summary>
    public TransitionFacts Facts { get; init; } = TransitionFacts.None;

    /// <summary>The decision time (epoch ms, the node's clock).</summary>
    public required long NowMs { get; init; }

    /// <summary>The id this request stamps on its change, so a retry recognises a write that landed.</summary>
    public required string RequestId { get; init; }
}
