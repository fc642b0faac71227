namespace TaskGraph.Core.ReadModels;

/// <summary>Totals of a project history window.</summary>
public sealed record ProjectHistorySummary(int TotalTransitions, int TasksAffected, long TotalTimeMs);
