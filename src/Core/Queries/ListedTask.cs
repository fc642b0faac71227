using TaskGraph.Core.Records;

namespace TaskGraph.Core.Queries;

/// <summary>A task as a list shows it: the record and the predecessors that still block it.</summary>
public sealed record ListedTask(TaskRecord Task, IReadOnlyList<string> BlockedBy);
