namespace TaskGraph.Core.ReadModels;

/// <summary>One claimable task as the read model ranks it.</summary>
/// <param name="Id">The task id.</param>
/// <param name="Priority">Its priority (higher first).</param>
/// <param name="Fit">How many of its wanted tags the worker holds (more first; 0 when it wants none).</param>
/// <param name="CreatedAt">When it was created (older first).</param>
public sealed record ClaimCandidate(string Id, int Priority, int Fit, long CreatedAt);
