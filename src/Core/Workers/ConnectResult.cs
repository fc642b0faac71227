using TaskGraph.Core.Records;
using TaskGraph.Core.Workflows;

namespace TaskGraph.Core.Workers;

/// <summary>The registered worker, its workflow and any warnings about its tags.</summary>
public sealed record ConnectResult(WorkerRecord Worker, WorkflowDefinition Workflow, IReadOnlyList<string> TagWarnings)
{
    /// <summary>The worker's role in its workflow, if its tags give it one.</summary>
    public RoleDefinition? Role => Workflow.RoleFor(Worker.Tags);
}
