using TaskGraph.Core.Records;

namespace TaskGraph.Core.Queries;

/// <summary>One task with its surroundings: the predecessors still blocking it, its parent and its children.</summary>
public sealed record TaskDetail(TaskRecord Task, IReadOnlyList<string> BlockedBy, string? Parent, IReadOnlyList<string> Children);
