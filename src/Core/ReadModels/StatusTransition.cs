namespace TaskGraph.Core.ReadModels;

/// <summary>A <c>task_sequence</c> status row: the task entered <paramref name="Status"/> at <paramref name="Timestamp"/> and left it at <paramref name="EndTimestamp"/>.</summary>
/// <param name="Id">Row id (ascending in commit order).</param>
/// <param name="TaskId">The task (its current id after renames).</param>
/// <param name="WorkerId">The owner after the transition, else the actor.</param>
/// <param name="Status">The status entered.</param>
/// <param name="Reason">Why, as the writer recorded it.</param>
/// <param name="Timestamp">When (epoch ms, store commit time).</param>
/// <param name="EndTimestamp">When the task left the status; null while it is current.</param>
public sealed record StatusTransition(long Id, string TaskId, string? WorkerId, string Status, string? Reason, long Timestamp, long? EndTimestamp);
