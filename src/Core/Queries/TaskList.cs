namespace TaskGraph.Core.Queries;

/// <summary>One page of a task list: the tasks, whether more follow, and the paging it was asked with.</summary>
public sealed record TaskList(IReadOnlyList<ListedTask> Tasks, bool HasMore, int Offset, int? Limit);
