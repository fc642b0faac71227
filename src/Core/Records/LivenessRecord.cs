namespace TaskGraph.Core.Records;

/// <summary>
/// A worker's liveness as kept under <c>live.&lt;id&gt;</c> in the volatile key space (<see cref="Storage.ILivenessStore"/>):
/// what changes on every heartbeat and mark poll, kept out of the durable log. Readers see a worker record with these
/// fields laid over its own (the newer of each wins).
/// </summary>
public sealed record LivenessRecord
{
    /// <summary>The worker id.</summary>
    public required string Id { get; init; }

    /// <summary>Last heartbeat (epoch ms).</summary>
    public long LastHeartbeat { get; init; }

    /// <summary>The lease: after this instant (epoch ms) the worker counts as dead.</summary>
    public long HeartbeatDeadline { get; init; }

    /// <summary>The mark_updates cursor.</summary>
    public ulong MarkCursor { get; init; }

    /// <summary>The worker's current thought (<c>thinking</c>), shown on the tasks it owns; volatile like the lease.</summary>
    public string? Thought { get; init; }

    /// <summary>The tasks the thought is about; empty: every task the worker owns.</summary>
    public IReadOnlyList<string> ThoughtTaskIds { get; init; } = [];

    /// <summary>The thought shown on <paramref name="taskId"/> (a task the worker owns), or null.</summary>
    public string? ThoughtOn(string taskId) =>
        Thought is not null && (ThoughtTaskIds.Count == 0 || ThoughtTaskIds.Contains(taskId, StringComparer.Ordinal)) ? Thought : null;

    /// <summary>Set by the sweeper that evicts the worker: a heartbeat racing the eviction loses (its CAS fails, then it sees this).</summary>
    public bool Evicted { get; init; }

    /// <summary>The worker record with this liveness laid over it.</summary>
    public WorkerRecord Over(WorkerRecord worker)
    {
        ArgumentNullException.ThrowIfNull(worker);
        return Evicted
            ? worker with { HeartbeatDeadline = 0, LastHeartbeat = Math.Min(worker.LastHeartbeat, LastHeartbeat) }
            : worker with
            {
                LastHeartbeat = Math.Max(worker.LastHeartbeat, LastHeartbeat),
                HeartbeatDeadline = Math.Max(worker.HeartbeatDeadline, HeartbeatDeadline),
                MarkCursor = Math.Max(worker.MarkCursor, MarkCursor),
            };
    }
}
