using TaskGraph.Core.Records;

namespace TaskGraph.Core.Leases;

/// <summary>
/// A worker's lease is data: its record's heartbeat deadline. A claim is valid while its owner's deadline holds;
/// after it passes, others may take the work over and any node's sweeper releases it.
/// </summary>
public static class Lease
{
    /// <summary>True while the worker's deadline has not passed.</summary>
    public static bool IsAlive(WorkerRecord? worker, long nowMs) => worker is not null && worker.HeartbeatDeadline > nowMs;

    /// <summary>The worker with a fresh heartbeat and deadline.</summary>
    public static WorkerRecord Renew(WorkerRecord worker, long nowMs, int staleTimeoutSeconds) => worker with
    {
        LastHeartbeat = nowMs,
        HeartbeatDeadline = nowMs + (staleTimeoutSeconds * 1000L),
    };

    /// <summary>True when a renewal is worth a write (more than a tenth of the timeout has passed since the last one).</summary>
    public static bool NeedsRenewal(WorkerRecord worker, long nowMs, int staleTimeoutSeconds) =>
        nowMs - worker.LastHeartbeat > staleTimeoutSeconds * 100L;
}
