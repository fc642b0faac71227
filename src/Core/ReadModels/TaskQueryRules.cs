using TaskGraph.Core.Configuration;
using TaskGraph.Core.Workflows;

namespace TaskGraph.Core.ReadModels;

/// <summary>The workflow and dependency-type facts the ready and blocked sets depend on.</summary>
public sealed record TaskQueryRules
{
    /// <summary>The state a new task starts in; only tasks in it can be ready or blocked.</summary>
    public string InitialState { get; init; } = "pending";

    /// <summary>States in which a predecessor still blocks its dependents.</summary>
    public IReadOnlyList<string> BlockingStates { get; init; } = ["pending", "assigned", "working"];

    /// <summary>Dependency types with <c>blocks: start</c>.</summary>
    public IReadOnlyList<string> StartBlockingTypes { get; init; } = ["blocks", "follows"];

    /// <summary>Vertical (parent/child) dependency types; a task with an outgoing one is a container.</summary>
    public IReadOnlyList<string> VerticalTypes { get; init; } = ["contains"];

    /// <summary>Derives the rules from a config and a workflow (the config's default workflow when null).</summary>
    public static TaskQueryRules From(TaskGraphConfig config, WorkflowDefinition? workflow = null)
    {
        var wf = workflow ?? config.DefaultWorkflow;
        return new TaskQueryRules
        {
            InitialState = wf.Settings.InitialState,
            BlockingStates = [.. wf.Settings.BlockingStates],
            StartBlockingTypes = [.. config.Dependencies.Where(d => d.Value.BlocksStart).Select(d => d.Key)],
            VerticalTypes = [.. config.Dependencies.Where(d => d.Value.IsVertical).Select(d => d.Key)],
        };
    }
}
