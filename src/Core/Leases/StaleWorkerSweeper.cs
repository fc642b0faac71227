using TaskGraph.Core.Graph;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;

namespace TaskGraph.Core.Leases;

/// <summary>
/// Evicts workers whose heartbeat is older than a timeout: releases their tasks to the disconnect state (with history) and
/// their marks, then deletes the worker at the revision it was judged stale at. Idempotent; every node may run it at once.
/// </summary>
public sealed class StaleWorkerSweeper(GraphContext context)
{
    private readonly WorkReleaser _releaser = new(context);

    /// <summary>Evicts workers silent for more than <paramref name="timeoutSeconds"/> (null = the configured lease).</summary>
    public async Task<EvictionResult> SweepAsync(int? timeoutSeconds, string? finalStatus, string? actor, CancellationToken cancellationToken = default)
    {
        var timeoutMs = (timeoutSeconds ?? context.Config.Server.StaleTimeoutSeconds) * 1000L;
        var evicted = new List<string>();
        var tasks = 0;
        var files = 0;
        string? usedStatus = finalStatus;
        var workers = await context.Records.ListWorkersAsync(cancellationToken).ConfigureAwait(false);
        foreach (var entry in workers)
        {
            var worker = entry.Value;
            var key = RecordKeys.Worker(worker.Id);
            var now = context.NowMs;
            // An explicit timeout counts from the last heartbeat, plus the edge grace for a worker behind an edge node
            // (its heartbeats may be held up by a cut uplink); the configured lease is the deadline, which has it already.
            var graceMs = worker.Edge ? context.Config.Server.EdgeGraceSeconds * 1000L : 0;
            var stale = timeoutSeconds is null ? !Lease.IsAlive(worker, now) : now - worker.LastHeartbeat > timeoutMs + graceMs;

            // The eviction mark goes first, by CAS on the liveness record: a heartbeat racing it loses or wins outright.
            if (!stale || !await LeaseRenewal.BeginEvictionAsync(context, worker, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            var workflow = context.Config.WorkflowFor(worker.Workflow, worker.Overlays);
            var target = WorkReleaser.ReleaseState(workflow, finalStatus);

            usedStatus = target;
            var reason = $"worker '{worker.Id}' evicted: no heartbeat for {(now - worker.LastHeartbeat) / 1000} s";
            var released = await _releaser.ReleaseTasksAsync(worker.Id, worker.Claims.Select(c => c.TaskId), workflow, target, ChangeKinds.Evict, reason, actor, cancellationToken).ConfigureAwait(false);
            var marks = await _releaser.ReleaseMarksAsync(worker.Id, cancellationToken).ConfigureAwait(false);
            try
            {
                var revision = await context.Records.DeleteAsync(key, entry.Revision, cancellationToken).ConfigureAwait(false);
                await context.SeenAsync(key, revision, cancellationToken).ConfigureAwait(false);
                await context.Records.RemoveLivenessAsync(worker.Id, cancellationToken).ConfigureAwait(false);
                evicted.Add(worker.Id);
            }
            catch (ConcurrencyConflictException)
            {
                // The worker came back (heartbeat) or another node evicted it first: nothing more to do here.
            }

            tasks += released.Count;
            files += marks.Count;
        }

        return new EvictionResult(evicted, tasks, files, usedStatus);
    }
}
