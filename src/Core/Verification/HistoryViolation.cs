namespace TaskGraph.Core.Verification;

/// <summary>One broken invariant found in a store's history.</summary>
/// <param name="Kind">Which check failed (see <see cref="HistoryChecker"/>'s constants).</param>
/// <param name="Message">What exactly was seen.</param>
/// <param name="Position">The change-log position where it was seen (0 when it concerns the end state).</param>
/// <param name="TaskId">The task concerned, if one.</param>
/// <param name="WorkerId">The worker concerned, if one.</param>
public sealed record HistoryViolation(string Kind, string Message, ulong Position, string? TaskId = null, string? WorkerId = null);
