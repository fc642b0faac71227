namespace TaskGraph.Core.Workflows;

/// <summary>The <c>settings</c> block of a workflow.</summary>
public sealed record WorkflowSettings
{
    /// <summary>State of a new task.</summary>
    public string InitialState { get; init; } = "pending";

    /// <summary>State a dead or disconnecting worker's tasks are released to (must be untimed).</summary>
    public string DisconnectState { get; init; } = "pending";

    /// <summary>
    /// The state an <c>assignee</c> update without a status moves the task to (<c>settings.assigned_state</c>; a role of
    /// a state, not a literal in the rules).
    /// </summary>
    public string AssignedState { get; init; } = "assigned";

    /// <summary>
    /// The state that means "done" besides the terminal ones: reaching it needs every child finished
    /// (<c>settings.completed_state</c>).
    /// </summary>
    public string CompletedState { get; init; } = "completed";

    /// <summary>States in which a task still blocks its dependents.</summary>
    public IReadOnlyList<string> BlockingStates { get; init; } = ["pending", "assigned", "working"];

    /// <summary>What an unknown phase does: allow, warn or reject.</summary>
    public string UnknownPhase { get; init; } = "warn";
}
