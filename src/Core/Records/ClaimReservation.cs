namespace TaskGraph.Core.Records;

/// <summary>A task a worker holds or is claiming, and when the reservation was made (epoch ms).</summary>
public sealed record ClaimReservation(string TaskId, long At);
