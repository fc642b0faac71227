namespace TaskGraph.Core.Verification;

/// <summary>A completion the rules acknowledged to a worker (the caller was told it succeeded), as the caller recorded it.</summary>
/// <param name="WorkerId">The worker that was told its completion succeeded.</param>
/// <param name="TaskId">The task.</param>
/// <param name="AtMs">When the answer arrived (epoch ms).</param>
public sealed record AcknowledgedCompletion(string WorkerId, string TaskId, long AtMs);
