using TaskGraph.Core.Dependencies;
using TaskGraph.Core.Records;
using TaskGraph.Core.Workflows;

namespace TaskGraph.Core.Tasks;

/// <summary>
/// A transition that landed (or a no-op, when <see cref="Before"/> and <see cref="After"/> are the same record): what it
/// was decided from, under which workflow, and the dependency snapshot it read, which its aftermath reuses.
/// </summary>
public sealed record Decided(TaskRecord Before, TaskRecord After, WorkflowDefinition Workflow, DependencyGraph Graph, string? PhaseWarning)
{
    /// <summary>The plan the change was written from (null for a no-op or a write recognised on re-read).</summary>
    public TransitionPlan? Plan { get; init; }
}
