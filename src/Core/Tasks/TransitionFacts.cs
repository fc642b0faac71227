namespace TaskGraph.Core.Tasks;

/// <summary>
/// What a transition knows of the task's neighbours, read only when its plan asks for it (<see cref="TransitionPlan.Needs"/>):
/// the start-blocking predecessors still blocking it, and its <c>contains</c> children still open.
/// </summary>
public sealed record TransitionFacts
{
    /// <summary>No facts read yet.</summary>
    public static TransitionFacts None { get; } = new();

    /// <summary>Predecessors (start-blocking edges) not deleted and in a blocking state; null when not read.</summary>
    public IReadOnlyList<string>? UnsatisfiedBlockers { get; init; }

    /// <summary>Children (<c>contains</c>) not deleted and in a blocking state; null when not read.</summary>
    public IReadOnlyList<string>? OpenChildren { get; init; }
}
