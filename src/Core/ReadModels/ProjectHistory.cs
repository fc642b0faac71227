namespace TaskGraph.Core.ReadModels;

/// <summary>Status transitions across all tasks in a time window (newest first) and statistics over the window.</summary>
/// <param name="FromMs">Window start (inclusive), if any.</param>
/// <param name="ToMs">Window end (inclusive), if any.</param>
/// <param name="Summary">Totals over the window (ignoring the states filter).</param>
/// <param name="Transitions">Status rows, newest first, filtered by states and limited.</param>
/// <param name="TransitionsByStatus">Row count by status.</param>
/// <param name="TimeByStatusMs">Time by status (closed rows, open rows up to now).</param>
/// <param name="TransitionsByAgent">Row count by worker.</param>
/// <param name="TimeByAgentMs">Time by worker.</param>
public sealed record ProjectHistory(
    long? FromMs,
    long? ToMs,
    ProjectHistorySummary Summary,
    IReadOnlyList<StatusTransition> Transitions,
    IReadOnlyDictionary<string, int> TransitionsByStatus,
    IReadOnlyDictionary<string, long> TimeByStatusMs,
    IReadOnlyDictionary<string, int> TransitionsByAgent,
    IReadOnlyDictionary<string, long> TimeByAgentMs);
