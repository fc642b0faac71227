using TaskGraph.Core.Records;

namespace TaskGraph.Core.ReadModels;

/// <summary>One page of tasks and whether more follow it.</summary>
public sealed record TaskPage(IReadOnlyList<TaskRecord> Tasks, bool HasMore);
