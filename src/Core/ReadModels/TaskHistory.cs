namespace TaskGraph.Core.ReadModels;

/// <summary>A task's status history (oldest first) with time spent per status and per agent.</summary>
/// <param name="History">Status rows, oldest first (filtered by the requested states).</param>
/// <param name="CurrentDurationMs">Time in the current status when it is timed, else null.</param>
/// <param name="TimePerStatusMs">Closed rows plus the open row up to now, by status (all rows, ignoring the states filter).</param>
/// <param name="TimePerAgentMs">The same, by worker.</param>
public sealed record TaskHistory(
    IReadOnlyList<StatusTransition> History,
    long? CurrentDurationMs,
    IReadOnlyDictionary<string, long> TimePerStatusMs,
    IReadOnlyDictionary<string, long> TimePerAgentMs);
