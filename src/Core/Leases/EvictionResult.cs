namespace TaskGraph.Core.Leases;

/// <summary>What a sweep did.</summary>
public sealed record EvictionResult(IReadOnlyList<string> EvictedWorkerIds, int TasksReleased, int FilesReleased, string? FinalStatus);
