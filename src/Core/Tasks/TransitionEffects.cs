namespace TaskGraph.Core.Tasks;

/// <summary>What a landed transition set off: the dependents it unblocked and those it auto-advanced.</summary>
public sealed record TransitionEffects(IReadOnlyList<string> Unblocked, IReadOnlyList<string> AutoAdvanced);
