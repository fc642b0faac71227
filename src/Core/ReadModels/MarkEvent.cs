namespace TaskGraph.Core.ReadModels;

/// <summary>A <c>claim_sequence</c> row: a file mark was claimed or released.</summary>
/// <param name="Id">The change-log position of the write that caused it (the <c>mark_updates</c> cursor unit).</param>
/// <param name="FilePath">The marked path or <c>lock:</c> name.</param>
/// <param name="WorkerId">The holder.</param>
/// <param name="TaskId">The task the mark was for.</param>
/// <param name="Event"><c>claimed</c> or <c>released</c>.</param>
/// <param name="Reason">The mark's reason.</param>
/// <param name="ClaimId">For <c>released</c>: the id of the <c>claimed</c> row it ends.</param>
/// <param name="Timestamp">When (epoch ms, store commit time).</param>
/// <param name="EndTimestamp">For <c>claimed</c>: when the claim ended.</param>
public sealed record MarkEvent(
    ulong Id,
    string FilePath,
    string WorkerId,
    string? TaskId,
    string Event,
    string? Reason,
    ulong? ClaimId,
    long Timestamp,
    long? EndTimestamp);
