using TaskGraph.Core.Records;

namespace TaskGraph.Core.Tasks;

/// <summary>The updated task, what its change unblocked or auto-advanced, and warnings.</summary>
public sealed record UpdateTaskResult(
    TaskRecord Task,
    TaskRecord Previous,
    IReadOnlyList<string> Unblocked,
    IReadOnlyList<string> AutoAdvanced,
    string? PhaseWarning,
    IReadOnlyList<string> TagWarnings);
