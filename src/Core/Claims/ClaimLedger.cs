using TaskGraph.Core.Errors;
using TaskGraph.Core.Graph;
using TaskGraph.Core.Leases;
using TaskGraph.Core.Records;

namespace TaskGraph.Core.Claims;

/// <summary>
/// The claim limit, enforced by compare-and-swap on the worker record: a claim first reserves its task there, so two
/// concurrent claims by one worker on different nodes serialise on that record and can never exceed the limit together.
/// </summary>
public sealed class ClaimLedger(GraphContext context)
{
    /// <summary>A reservation younger than this counts even when its claim has not landed yet (it may be in flight).</summary>
    public static readonly TimeSpan InFlightGrace = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Reserves <paramref name="taskId"/> on the worker and renews its lease. Returns true when a reservation was added
    /// (the caller must undo it if its claim then fails), false when one was already there.
    /// </summary>
    public async Task<bool> ReserveAsync(
        Versioned<WorkerRecord> worker, string taskId, CancellationToken cancellationToken, string? lastStatus = null, string? lastPhase = null)
    {
        var now = context.NowMs;
        var timeout = context.Config.Server.StaleTimeoutSeconds;
        if (worker.Value.Claims.Any(c => c.TaskId == taskId))
        {
            if (Lease.NeedsRenewal(worker.Value, now, timeout))
            {
                await LeaseRenewal.RenewAsync(context, worker.Value, cancellationToken).ConfigureAwait(false);
            }

            return false;
        }

        var claims = worker.Value.Claims;
        var limit = Math.Max(1, worker.Value.MaxClaims > 0 ? Math.Min(worker.Value.MaxClaims, context.Config.Server.ClaimLimit) : context.Config.Server.ClaimLimit);
        if (claims.Count >= limit)
        {
            claims = await PruneAsync(worker.Value, now, cancellationToken).ConfigureAwait(false);
        }

        if (claims.Count >= limit)
        {
            throw new TaskGraphException(ErrorCodes.ClaimLimitReached, $"Worker '{worker.Value.Id}' already holds {claims.Count} task(s), its claim limit is {limit}.")
            {
                Field = "worker_id",
                Details = new Dictionary<string, object?> { ["claim_limit"] = limit, ["claimed"] = claims.Select(c => c.TaskId).ToArray() },
                Suggestion = "Complete or release a task (update status to pending) before claiming another.",
            };
        }

        // The claimant's prompt state rides along with the reservation: one worker write per claim instead of two.
        var next = Lease.Renew(worker.Value, now, context.Config.Server) with
        {
            Claims = [.. claims, new ClaimReservation(taskId, now)],
            LastStatus = lastStatus ?? worker.Value.LastStatus,
            LastPhase = lastStatus is null ? worker.Value.LastPhase : lastPhase,
        };
        await context.Records.PutWorkerAsync(next, worker.Revision, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Drops the reservation of <paramref name="taskId"/> (best effort: a leftover is pruned later).</summary>
    public async Task UnreserveAsync(string workerId, string taskId, CancellationToken cancellationToken)
    {
        try
        {
            await context.RetryAsync(async _ =>
            {
                var worker = await context.Records.GetWorkerAsync(workerId, cancellationToken).ConfigureAwait(false);
                if (worker is not { } w || !w.Value.Claims.Any(c => c.TaskId == taskId))
                {
                    return false;
                }

                var next = w.Value with { Claims = [.. w.Value.Claims.Where(c => c.TaskId != taskId)] };
                await context.Records.PutWorkerAsync(next, w.Revision, cancellationToken).ConfigureAwait(false);
                return true;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (TaskGraphException ex) when (ex.Code == ErrorCodes.Conflict)
        {
            // A leftover reservation only makes the limit stricter until it is pruned; never looser.
        }
    }

    /// <summary>
    /// The worker's reservations that still count: those of tasks it owns, and young ones whose claim may be in flight.
    /// Reservations of tasks it lost (taken over, released, finished by others) are dropped.
    /// </summary>
    public async Task<IReadOnlyList<ClaimReservation>> PruneAsync(WorkerRecord worker, long now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(worker);
        var reads = await Task.WhenAll(worker.Claims.Select(async claim =>
            now - claim.At < InFlightGrace.TotalMilliseconds
            || (await context.Records.GetTaskAsync(claim.TaskId, cancellationToken).ConfigureAwait(false)) is { } t && t.Value.Owner == worker.Id)).ConfigureAwait(false);
        return [.. worker.Claims.Where((_, i) => reads[i])];
    }
}
