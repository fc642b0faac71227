using TaskGraph.Core.Graph;
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

    /// <summary>Reads the worker and tells whether its deadline holds (false for an unknown worker).</summary>
    public static async ValueTask<bool> IsAliveAsync(GraphRecords records, string workerId, long nowMs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        return IsAlive((await records.GetWorkerAsync(workerId, cancellationToken).ConfigureAwait(false))?.Value, nowMs);
    }

    /// <summary>True when <paramref name="ownerId"/> is someone other than <paramref name="callerId"/> whose lease holds: a live claim the caller must respect.</summary>
    public static async ValueTask<bool> HeldByAnotherAsync(GraphRecords records, string? ownerId, string callerId, long nowMs, CancellationToken cancellationToken) =>
        ownerId is not null && ownerId != callerId && await IsAliveAsync(records, ownerId, nowMs, cancellationToken).ConfigureAwait(false);

    /// <summary>The worker with a fresh heartbeat and deadline.</summary>
    public static WorkerRecord Renew(WorkerRecord worker, long nowMs, int staleTimeoutSeconds) => worker with
    {
        LastHeartbeat = nowMs,
        HeartbeatDeadline = nowMs + (staleTimeoutSeconds * 1000L),
    };

    /// <summary>
    /// The worker with a fresh heartbeat and a deadline <c>server.stale_timeout_seconds</c> ahead, plus
    /// <c>server.edge_grace_seconds</c> for a worker connected through an edge node: its heartbeats cannot reach the hub
    /// while the uplink is cut, and the cut alone must not expire it. Every node (and the hub's sweeper) reads the deadline.
    /// </summary>
    public static WorkerRecord Renew(WorkerRecord worker, long nowMs, Configuration.ServerSettings server)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(server);
        return Renew(worker, nowMs, server.StaleTimeoutSeconds + (worker.Edge ? server.EdgeGraceSeconds : 0));
    }

    /// <summary>True when a renewal is worth a write (more than a tenth of the timeout has passed since the last one).</summary>
    public static bool NeedsRenewal(WorkerRecord worker, long nowMs, int staleTimeoutSeconds) =>
        nowMs - worker.LastHeartbeat > staleTimeoutSeconds * 100L;
}
