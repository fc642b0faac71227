using TaskGraph.Core.Graph;
using TaskGraph.Core.Leases;
using TaskGraph.Core.ReadModels;
using TaskGraph.Core.Workers;

namespace TaskGraph.Core.Marks;

/// <summary>
/// mark_updates: the claim/release events since a worker's cursor, derived from the store's change log by the read model
/// (never written beside the marks, so they cannot disagree). The cursor advances by CAS on the worker's liveness
/// record (the volatile key space), renewing its lease.
/// </summary>
public sealed class MarkFeed
{
    private readonly GraphContext _context;
    private readonly WorkerService _workers;
    private readonly ReadModel _reads;

    internal MarkFeed(GraphContext context, WorkerService workers, ReadModel reads)
    {
        _context = context;
        _workers = workers;
        _reads = reads;
    }

    /// <summary>Events at or after the worker's cursor; advances the cursor past them.</summary>
    public async Task<MarkUpdates> PollAsync(string agent, CancellationToken cancellationToken = default) =>
        await _context.RetryAsync(async _ =>
        {
            var worker = await _workers.RequireLiveAsync(agent, "agent", cancellationToken).ConfigureAwait(false);
            var cursor = worker.Value.MarkCursor;
            var events = _reads.MarkEventsFrom(cursor);
            if (events.Count == 0)
            {
                return new MarkUpdates([], [], cursor);
            }

            var batch = events.Select(e => e.Id).ToHashSet();
            var claimed = events.Where(e => e.Event == "claimed").ToList();

            // A release is news only when its claim was seen before (older than the cursor), is in this batch, or is unknown.
            var released = events.Where(e => e.Event == "released" && (e.ClaimId is null || e.ClaimId < cursor || batch.Contains(e.ClaimId.Value))).ToList();
            var next = events.Max(e => e.Id) + 1;
            await LeaseRenewal.RenewAsync(_context, worker.Value, cancellationToken, next).ConfigureAwait(false);
            return new MarkUpdates(claimed, released, next);
        }, cancellationToken).ConfigureAwait(false);
}
