namespace TaskGraph.Core.Records;

/// <summary>
/// A worker whose claim on a task was taken from it (takeover after its lease lapsed, a forced claim, an eviction, a
/// release or completion by someone else), with the lease epoch it held and how it lost the claim. While it is listed and
/// does not own the task, its writes to the task are refused (docs/adr/0005, "Fencing late writes").
/// </summary>
public sealed record FencedClaim(string WorkerId, long Epoch, string How, long At);
