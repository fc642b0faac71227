using TaskGraph.Core.Records;

namespace TaskGraph.Core.Tasks;

/// <summary>A created task and the warnings its input earned.</summary>
public sealed record CreateTaskResult(TaskRecord Task, string? PhaseWarning, IReadOnlyList<string> TagWarnings, string? TitleWarning);
