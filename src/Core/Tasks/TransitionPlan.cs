using TaskGraph.Core.Records;
using TaskGraph.Core.Workflows;

namespace TaskGraph.Core.Tasks;

/// <summary>
/// A decided transition: the next record and its change kind, the reservation to make before writing it, and the phase
/// warning; or, when <see cref="Needs"/> is not <see cref="TransitionNeeds.None"/>, the facts to read before deciding.
/// </summary>
public sealed record TransitionPlan
{
    /// <summary>Facts to read and plan again with; <see cref="TransitionNeeds.None"/> when decided.</summary>
    public TransitionNeeds Needs { get; init; }

    /// <summary>The record to write (the task itself, unchanged, for a no-op).</summary>
    public TaskRecord? Next { get; init; }

    /// <summary>The change kind (<see cref="ChangeKinds"/>).</summary>
    public string? Kind { get; init; }

    /// <summary>True when nothing is written: re-claiming a task the caller already works on (a heartbeat).</summary>
    public bool IsNoOp { get; init; }

    /// <summary>The claim-limit reservation to make before the write, if the task gains an owner.</summary>
    public TransitionReservation? Reservation { get; init; }

    /// <summary>The unknown-phase warning, if any.</summary>
    public string? PhaseWarning { get; init; }

    /// <summary>Warnings of exit gates passed with force or optional (allow).</summary>
    public IReadOnlyList<string> GateWarnings { get; init; } = [];

    /// <summary>The inline attachments as listed on the next record.</summary>
    public IReadOnlyList<AttachmentMeta> AttachmentsAdded { get; init; } = [];

    /// <summary>Attachments an inline replace dropped (their content goes once the write lands).</summary>
    public IReadOnlyList<AttachmentMeta> AttachmentsDropped { get; init; } = [];

    /// <summary>The transition prompts of the change, rendered.</summary>
    public IReadOnlyList<TransitionPrompt> Prompts { get; init; } = [];

    /// <summary>A plan that asks for facts first.</summary>
    public static TransitionPlan Asking(TransitionNeeds needs) => new() { Needs = needs };
}
