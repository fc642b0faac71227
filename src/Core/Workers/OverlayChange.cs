using TaskGraph.Core.Workflows;

namespace TaskGraph.Core.Workers;

/// <summary>
/// A worker's overlays after add_overlay or remove_overlay, what that changed in its effective workflow, and the role the
/// worker has in the workflow now.
/// </summary>
public sealed record OverlayChange(string WorkerId, IReadOnlyList<string> Overlays, OverlayDiff Diff)
{
    /// <summary>The effective workflow after the change.</summary>
    public WorkflowDefinition? Workflow { get; init; }

    /// <summary>The worker's role in <see cref="Workflow"/>, if any.</summary>
    public RoleDefinition? Role { get; init; }
}
