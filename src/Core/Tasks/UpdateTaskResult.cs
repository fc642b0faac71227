using TaskGraph.Core.Records;

namespace TaskGraph.Core.Tasks;

/// <summary>The updated task, what its change unblocked or auto-advanced, and warnings.</summary>
public sealed record UpdateTaskResult(
    TaskRecord Task,
    TaskRecord Previous,
    IReadOnlyList<string> Unblocked,
    IReadOnlyList<string> AutoAdvanced,
    string? PhaseWarning,
    IReadOnlyList<string> TagWarnings)
{
    /// <summary>
    /// Set when the change landed but its aftermath (the caller's bookkeeping, dropping marks, unblocking dependents) was
    /// cut short by a store outage; the sweeper and the next calls finish what it left.
    /// </summary>
    public string? AftermathWarning { get; init; }
}
