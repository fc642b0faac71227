namespace TaskGraph.Core.Configuration;

/// <summary>The <c>settings</c> block of a workflow.</summary>
public sealed record WorkflowSettings
{
    /// <summary>State of a new task.</summary>
    public string InitialState { get; init; } = "pending";

    /// <summary>State a dead or disconnecting worker's tasks are released to (must be untimed).</summary>
    public string DisconnectState { get; init; } = "pending";

    /// <summary>States in which a task still blocks its dependents.</summary>
    public IReadOnlyList<string> BlockingStates { get; init; } = ["pending", "assigned", "working"];

    /// <summary>What an unknown phase does: allow, warn or reject.</summary>
    public string UnknownPhase { get; init; } = "warn";
}
