using TaskGraph.Core.Records;
using TaskGraph.Core.Workflows;

namespace TaskGraph.Core.Tasks;

/// <summary>The updated task, what its change unblocked or auto-advanced, and warnings.</summary>
public sealed record UpdateTaskResult(
    TaskRecord Task,
    TaskRecord Previous,
    IReadOnlyList<string> Unblocked,
    IReadOnlyList<string> AutoAdvanced,
    string? PhaseWarning,
    IReadOnlyList<string> TagWarnings)
{
    /// <summary>
    /// Set when the change landed but its aftermath (the caller's bookkeeping, dropping marks, unblocking dependents) was
    /// cut short by a store outage; the sweeper and the next calls finish what it left.
    /// </summary>
    public string? AftermathWarning { get; init; }

    /// <summary>Warnings of exit gates passed with force, or optional ones not satisfied.</summary>
    public IReadOnlyList<string> GateWarnings { get; init; } = [];

    /// <summary>The inline attachments added.</summary>
    public IReadOnlyList<AttachmentMeta> AttachmentsAdded { get; init; } = [];

    /// <summary>Attachments an inline replace dropped.</summary>
    public IReadOnlyList<AttachmentMeta> AttachmentsDropped { get; init; } = [];

    /// <summary>The transition prompts of the change.</summary>
    public IReadOnlyList<TransitionPrompt> Prompts { get; init; } = [];

    /// <summary>Ancestors the change completed by auto-rollup, nearest first.</summary>
    public IReadOnlyList<string> RolledUp { get; init; } = [];

    /// <summary>Descendants <c>cascade=true</c> moved with the task.</summary>
    public IReadOnlyList<string> Cascaded { get; init; } = [];

    /// <summary>Type-policy warnings of the inline attachments.</summary>
    public IReadOnlyList<string> AttachmentWarnings { get; init; } = [];
}
