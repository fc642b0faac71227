using TaskGraph.Core.Errors;
using TaskGraph.Core.Graph;
using TaskGraph.Core.Records;

namespace TaskGraph.Core.Leases;

/// <summary>
/// Renews leases and moves mark cursors in the volatile key space (<see cref="LivenessRecord"/>), by compare-and-swap
/// on the worker's liveness record, so a renewal racing an eviction loses one way or the other and nothing reaches the
/// durable log.
/// </summary>
public static class LeaseRenewal
{
    /// <summary>
    /// Renews <paramref name="worker"/>'s lease from now (and sets its mark cursor when given); returns the worker as it
    /// now reads. Refused with <c>LEASE_EXPIRED</c> once a sweeper has begun evicting it.
    /// </summary>
    /// <remarks>
    /// With <paramref name="reset"/> (a connect), an eviction mark is cleared instead of refusing. The current thought is
    /// kept unless <paramref name="thought"/> gives a new one (its text and the tasks it is about, empty for all).
    /// </remarks>
    public static Task<WorkerRecord> RenewAsync(
        GraphContext context, WorkerRecord worker, CancellationToken cancellationToken, ulong? markCursor = null, bool reset = false,
        (string Text, IReadOnlyList<string> TaskIds)? thought = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(worker);
        return context.RetryAsync(async _ =>
        {
            var current = await context.Records.GetLivenessAsync(worker.Id, cancellationToken).ConfigureAwait(false);
            if (current is { Value.Evicted: true } && !reset)
            {
                throw Expired(worker.Id);
            }

            var now = context.NowMs;
            var renewed = Lease.Renew(worker, now, context.Config.Server);
            var liveness = new LivenessRecord
            {
                Id = worker.Id,
                LastHeartbeat = renewed.LastHeartbeat,
                HeartbeatDeadline = renewed.HeartbeatDeadline,
                MarkCursor = markCursor ?? (reset ? worker.MarkCursor : Math.Max(worker.MarkCursor, current?.Value.MarkCursor ?? 0)),
                Thought = thought is { } t ? t.Text : current?.Value.Thought,
                ThoughtTaskIds = thought is { } n ? n.TaskIds : current?.Value.ThoughtTaskIds ?? [],
            };
            await context.Records.PutLivenessAsync(liveness, current?.Revision ?? 0, cancellationToken).ConfigureAwait(false);
            return liveness.Over(reset ? worker with { MarkCursor = liveness.MarkCursor } : worker);
        }, cancellationToken);
    }

    /// <summary>
    /// Starts an eviction: marks the worker's liveness evicted unless it was renewed since <paramref name="judged"/> was
    /// read. False when the worker came back (or another node evicts it and already marked it).
    /// </summary>
    public static async Task<bool> BeginEvictionAsync(GraphContext context, WorkerRecord judged, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(judged);
        var current = await context.Records.GetLivenessAsync(judged.Id, cancellationToken).ConfigureAwait(false);
        if (current is { } c && (c.Value.Evicted || c.Value.HeartbeatDeadline > judged.HeartbeatDeadline))
        {
            // Already being evicted (finish it: the caller's release is idempotent), or renewed after the judgement.
            return c.Value.Evicted;
        }

        try
        {
            var evicted = new LivenessRecord { Id = judged.Id, LastHeartbeat = judged.LastHeartbeat, HeartbeatDeadline = judged.HeartbeatDeadline, MarkCursor = judged.MarkCursor, Evicted = true };
            await context.Records.PutLivenessAsync(evicted, current?.Revision ?? 0, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Storage.ConcurrencyConflictException)
        {
            return false;
        }
    }

    private static TaskGraphException Expired(string workerId) =>
        new(ErrorCodes.LeaseExpired, $"Worker '{workerId}' missed its heartbeat deadline and is being evicted; its claims are released.")
        {
            Field = "worker_id",
            Suggestion = "Reconnect with connect(worker_id, force=true), then check your tasks with list_tasks(owner=...).",
        };
}
