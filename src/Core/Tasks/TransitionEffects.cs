namespace TaskGraph.Core.Tasks;

/// <summary>What a landed transition set off: the dependents it unblocked, those it auto-advanced, the parents it rolled up.</summary>
public sealed record TransitionEffects(IReadOnlyList<string> Unblocked, IReadOnlyList<string> AutoAdvanced)
{
    /// <summary>Ancestors moved to completed because their last unfinished child finished, nearest first.</summary>
    public IReadOnlyList<string> RolledUp { get; init; } = [];
}
