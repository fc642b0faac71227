using TaskGraph.Core.Claims;
using TaskGraph.Core.Dependencies;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Graph;
using TaskGraph.Core.Leases;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Workflows;

namespace TaskGraph.Core.Tasks;

/// <summary>
/// What follows a landed transition: the reservations settle (the former owner's and a lost attempt's go), the caller's
/// bookkeeping (prompt state, heartbeat), the marks of a finished task go, and the dependents it unblocked are reported
/// and, when configured, auto-advanced. Each step is its own write; an outage may cut it short without undoing the change.
/// </summary>
public sealed class TransitionAftermath(GraphContext context, ClaimLedger ledger, WorkReleaser releaser)
{
    /// <summary>Runs the steps after <paramref name="decided"/> landed for <paramref name="callerId"/>.</summary>
    public async Task<TransitionEffects> RunAsync(string callerId, Decided decided, IReadOnlyList<string> reserved, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decided);
        ArgumentNullException.ThrowIfNull(reserved);
        var (before, after) = (decided.Before, decided.After);

        // The former owner's reservation goes (it released, or someone took the task over). When the caller is that
        // owner, the reservation goes in the same write as the caller's bookkeeping below.
        var formerOwner = before.Owner is { } f && f != after.Owner ? f : null;
        if (formerOwner is not null && formerOwner != callerId)
        {
            await ledger.UnreserveAsync(formerOwner, before.Id, cancellationToken).ConfigureAwait(false);
        }

        // A reservation made on an attempt that lost, for a task someone else ended up owning, goes too.
        foreach (var workerId in reserved.Where(w => w != after.Owner))
        {
            await ledger.UnreserveAsync(workerId, before.Id, cancellationToken).ConfigureAwait(false);
        }

        // A claim's reservation write already carried the caller's prompt state and a fresh lease: nothing to settle.
        var workflow = reserved.Contains(callerId) && after.Owner == callerId
            ? decided.Workflow
            : await SettleCallerAsync(callerId, after, formerOwner == callerId ? before.Id : null, cancellationToken).ConfigureAwait(false);
        if (before.Status != after.Status && (workflow.IsTerminal(after.Status) || after.Status == workflow.Settings.CompletedState))
        {
            await releaser.RemoveMarksAsync(m => m.TaskId == after.Id, cancellationToken).ConfigureAwait(false);
        }

        var unblocked = new List<string>();
        var advanced = new List<string>();
        var rolledUp = new List<string>();
        if (workflow.IsBlocking(before.Status) && !workflow.IsBlocking(after.Status))
        {
            await PropagateUnblockAsync(after, workflow, decided.Graph, unblocked, advanced, cancellationToken).ConfigureAwait(false);
            if (context.Config.AutoRollup.Enabled)
            {
                await RollUpAsync(callerId, after.Id, workflow, decided.Graph, rolledUp, unblocked, advanced, cancellationToken).ConfigureAwait(false);
            }
        }

        return new TransitionEffects(unblocked, advanced) { RolledUp = rolledUp };
    }

    /// <summary>
    /// Auto-rollup: while the finished task's parent is unfinished, not owned by someone else, has no unfinished child left
    /// and at least one completed child, and its exit gates let it go, the parent moves to the completed state (its
    /// dependents are unblocked as for any finish) and the walk goes on to its parent. A lost race leaves that parent to
    /// whoever moved it.
    /// </summary>
    private async Task RollUpAsync(
        string callerId, string finishedId, WorkflowDefinition workflow, DependencyGraph graph, List<string> rolledUp, List<string> unblocked, List<string> advanced, CancellationToken cancellationToken)
    {
        var completed = workflow.Settings.CompletedState;
        var childId = finishedId;
        var seen = new HashSet<string>(StringComparer.Ordinal) { childId };
        while (graph.ParentEdge(childId) is { } edge && seen.Add(edge.From))
        {
            var parent = await context.Records.GetTaskAsync(edge.From, cancellationToken).ConfigureAwait(false);
            if (parent is not { } p || p.Value.IsDeleted || !workflow.IsBlocking(p.Value.Status) || p.Value.Owner is { } owner && owner != callerId)
            {
                return;
            }

            var children = await Task.WhenAll(graph.Children(p.Value.Id).Select(id => context.Records.GetTaskAsync(id, cancellationToken).AsTask())).ConfigureAwait(false);
            var live = children.Where(c => c is { } t && !t.Value.IsDeleted).Select(c => c!.Value.Value).ToList();
            if (live.Any(c => workflow.IsBlocking(c.Status)) || !live.Any(c => c.Status == completed))
            {
                return;
            }

            var now = context.NowMs;
            var next = StatusChange.Apply(p.Value, completed, workflow, now) with
            {
                Owner = null,
                ClaimedAt = null,
                UpdatedAt = now,
                FinishedBy = callerId,
                Change = new TaskChange { Kind = ChangeKinds.Rollup, Actor = callerId, Reason = $"auto-rollup: every child of '{p.Value.Id}' is finished", FromStatus = p.Value.Status, FromPhase = p.Value.Phase },
            };
            try
            {
                // A rejecting exit gate keeps the parent where it is; warning gates do not hold a rollup back.
                GateCheck.Exit(workflow, p.Value, next, force: true);
            }
            catch (TaskGraphException)
            {
                return;
            }

            try
            {
                var revision = await context.Records.PutTaskAsync(next, p.Revision, cancellationToken).ConfigureAwait(false);
                await context.SeenAsync(RecordKeys.Task(next.Id), revision, cancellationToken).ConfigureAwait(false);
            }
            catch (ConcurrencyConflictException)
            {
                return;
            }

            if (p.Value.Owner is { } held)
            {
                await ledger.UnreserveAsync(held, p.Value.Id, cancellationToken).ConfigureAwait(false);
            }

            rolledUp.Add(next.Id);
            await PropagateUnblockAsync(next, workflow, graph, unblocked, advanced, cancellationToken).ConfigureAwait(false);
            childId = next.Id;
        }
    }

    /// <summary>
    /// The caller's bookkeeping after a transition (prompt state, heartbeat) and, when it released
    /// <paramref name="droppedTaskId"/>, dropping that reservation: one read and at most one write. Returns the caller's workflow.
    /// </summary>
    private async Task<WorkflowDefinition> SettleCallerAsync(string callerId, TaskRecord after, string? droppedTaskId, CancellationToken cancellationToken)
    {
        string? workflowName = null;
        IReadOnlyList<string>? overlays = null;
        try
        {
            await context.RetryAsync(async _ =>
            {
                if (await context.Records.GetWorkerAsync(callerId, cancellationToken).ConfigureAwait(false) is not { } current)
                {
                    return false;
                }

                var worker = current.Value;
                workflowName = worker.Workflow;
                overlays = worker.Overlays;
                var now = context.NowMs;
                var timeout = context.Config.Server.StaleTimeoutSeconds;
                var drop = droppedTaskId is not null && worker.Claims.Any(c => c.TaskId == droppedTaskId);
                var bookkeeping = worker.LastStatus != after.Status || worker.LastPhase != after.Phase;
                if (!drop && !bookkeeping)
                {
                    if (Lease.NeedsRenewal(worker, now, timeout))
                    {
                        // A heartbeat only: the volatile key space, nothing in the durable log.
                        await LeaseRenewal.RenewAsync(context, worker, cancellationToken).ConfigureAwait(false);
                    }

                    return false;
                }

                var next = drop ? worker with { Claims = [.. worker.Claims.Where(c => c.TaskId != droppedTaskId)] } : worker;
                if (bookkeeping)
                {
                    next = Lease.Renew(next, now, context.Config.Server) with { LastStatus = after.Status, LastPhase = after.Phase };
                }

                try
                {
                    await context.Records.PutWorkerAsync(next, current.Revision, cancellationToken).ConfigureAwait(false);
                }
                catch (ConcurrencyConflictException) when (!drop)
                {
                    // Only bookkeeping (prompt state, heartbeat): the worker's own next call refreshes it.
                }

                return true;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (TaskGraphException ex) when (ex.Code == ErrorCodes.Conflict)
        {
            // A leftover reservation only makes the limit stricter until it is pruned; never looser.
        }

        return context.Config.WorkflowFor(workflowName, overlays);
    }

    /// <summary>
    /// Dependents of <paramref name="blocker"/> (over the snapshot the transition read) in the initial state, unowned and
    /// with no other blocker left are unblocked; with auto-advance on, each moves to the target state if that is legal.
    /// Not recursive.
    /// </summary>
    private async Task PropagateUnblockAsync(
        TaskRecord blocker, WorkflowDefinition workflow, DependencyGraph graph, List<string> unblocked, List<string> advanced, CancellationToken cancellationToken)
    {
        var initial = workflow.Settings.InitialState;
        var autoAdvance = context.Config.AutoAdvance;
        foreach (var dependentId in graph.StartDependents(blocker.Id))
        {
            var dependent = await context.Records.GetTaskAsync(dependentId, cancellationToken).ConfigureAwait(false);
            if (dependent is not { } d || d.Value.Status != initial || d.Value.Owner is not null || d.Value.IsDeleted)
            {
                continue;
            }

            var stillBlocked = false;
            foreach (var other in graph.StartBlockers(dependentId))
            {
                var o = await context.Records.GetTaskAsync(other, cancellationToken).ConfigureAwait(false);
                stillBlocked |= o is { } ot && !ot.Value.IsDeleted && workflow.IsBlocking(ot.Value.Status);
            }

            if (stillBlocked)
            {
                continue;
            }

            unblocked.Add(dependentId);
            if (autoAdvance.Enabled && autoAdvance.TargetState is { } target && workflow.CanMove(initial, target))
            {
                try
                {
                    var now = context.NowMs;
                    var next = StatusChange.Apply(d.Value, target, workflow, now) with
                    {
                        UpdatedAt = now,
                        Change = new TaskChange { Kind = ChangeKinds.AutoAdvance, Reason = $"auto-advanced: blocker '{blocker.Id}' completed", FromStatus = d.Value.Status, FromPhase = d.Value.Phase },
                    };
                    var revision = await context.Records.PutTaskAsync(next, d.Revision, cancellationToken).ConfigureAwait(false);
                    await context.SeenAsync(RecordKeys.Task(dependentId), revision, cancellationToken).ConfigureAwait(false);
                    advanced.Add(dependentId);
                }
                catch (ConcurrencyConflictException)
                {
                    // Someone else moved it first; it is no longer ours to advance.
                }
            }
        }
    }
}
