namespace TaskGraph.Core.Tasks;

/// <summary>The facts a plan needs before it can decide (<see cref="TransitionFacts"/>).</summary>
[Flags]
public enum TransitionNeeds
{
    /// <summary>Nothing more: the plan is decided.</summary>
    None = 0,

    /// <summary>The predecessors still blocking the task.</summary>
    Blockers = 1,

    /// <summary>The children still open.</summary>
    Children = 2,
}
