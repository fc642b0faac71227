namespace TaskGraph.Core.ReadModels;

/// <summary>Why tasks within a claim's filters are not claimable by a worker (each task counts once, containers never).</summary>
/// <param name="Blocked">Initial-state, unowned tasks with an unfinished start-blocking predecessor.</param>
/// <param name="Claimed">Tasks owned by other workers.</param>
/// <param name="TagMismatch">Ready tasks whose needed or wanted tags the worker does not satisfy.</param>
public sealed record UnclaimableCounts(int Blocked, int Claimed, int TagMismatch);
