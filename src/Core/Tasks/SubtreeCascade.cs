using TaskGraph.Core.Claims;
using TaskGraph.Core.Dependencies;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Graph;
using TaskGraph.Core.Leases;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Workers;
using TaskGraph.Core.Workflows;

namespace TaskGraph.Core.Tasks;

/// <summary>
/// <c>update(status=&lt;terminal&gt;, cascade=true)</c>: every unfinished descendant of the task (over <c>contains</c>) moves
/// straight to that status with it, whatever state it is in; owners are released (and fenced) and the descendants' marks
/// go. Everything that could refuse is checked before the first write: the status is terminal, the task may make that
/// move, and no descendant is owned by another live worker unless <c>force</c>. Descendants move deepest first, then the
/// task itself through the unified transition.
/// </summary>
public sealed class SubtreeCascade(GraphContext context, WorkerService workers, ClaimLedger ledger, WorkReleaser releaser)
{
    /// <summary>Checks the cascade <paramref name="request"/> asks for and lists what it will move; writes nothing.</summary>
    public async Task<CascadePlan> PrepareAsync(UpdateTaskRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Status is not { } status)
        {
            throw new TaskGraphException(ErrorCodes.MissingRequiredField, "status is required with cascade=true") { Field = "status" };
        }

        var caller = await workers.RequireLiveAsync(request.WorkerId, "worker_id", cancellationToken).ConfigureAwait(false);
        var workflow = context.Config.WorkflowFor(caller.Value.Workflow, caller.Value.Overlays);
        TransitionGuards.StateExists(workflow, status);
        if (!workflow.IsTerminal(status))
        {
            throw TaskGraphException.Invalid(
                "cascade",
                $"cascade=true needs a terminal status (one with no exits), got '{status}'. Terminal statuses: [{string.Join(", ", workflow.StateNames.Where(workflow.IsTerminal))}]");
        }

        var root = await context.Records.GetTaskAsync(Limits.Id(request.TaskId, "task"), cancellationToken).ConfigureAwait(false)
            ?? throw TaskGraphException.TaskNotFound(request.TaskId);
        var now = context.NowMs;
        TransitionGuards.Owner(root.Value, caller.Value.Id, await AliveOtherAsync(root.Value.Owner, caller.Value.Id, now, cancellationToken).ConfigureAwait(false), false, request.Force, workflow, status);
        if (root.Value.Status != status)
        {
            TransitionGuards.ExitLegal(workflow, root.Value.Status, status);
        }

        var deps = (await context.Records.GetDependenciesAsync(cancellationToken).ConfigureAwait(false)).Value;
        var graph = DependencyGraph.Of(deps.Edges, context.Config.Dependencies);
        var ids = graph.Descendants(root.Value.Id);
        var reads = await Task.WhenAll(ids.Select(id => context.Records.GetTaskAsync(id, cancellationToken).AsTask())).ConfigureAwait(false);
        var open = reads.Where(r => r is { } t && !t.Value.IsDeleted && workflow.IsBlocking(t.Value.Status)).Select(r => r!.Value.Value).ToList();
        if (!request.Force)
        {
            var held = new List<TaskRecord>();
            foreach (var task in open)
            {
                if (await AliveOtherAsync(task.Owner, caller.Value.Id, now, cancellationToken).ConfigureAwait(false))
                {
                    held.Add(task);
                }
            }

            if (held.Count > 0)
            {
                throw new TaskGraphException(
                    ErrorCodes.NotOwner,
                    $"Cannot cascade: {held.Count} descendant(s) are claimed by other workers: {string.Join(", ", held.Select(t => $"{t.Id} ({t.Owner})"))}. Nothing was changed; use force=true to override")
                {
                    Field = "cascade",
                    Details = new Dictionary<string, object?> { ["claimed"] = held.Select(t => new Dictionary<string, object?> { ["task"] = t.Id, ["owner"] = t.Owner }).ToList() },
                };
            }
        }

        var order = ids.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i, StringComparer.Ordinal);
        return new CascadePlan(workflow, status, [.. open.OrderByDescending(t => order[t.Id]).Select(t => t.Id)]);
    }

    /// <summary>Moves the descendants of <paramref name="plan"/>; returns those it moved (one another moved meanwhile is left).</summary>
    public async Task<IReadOnlyList<string>> ApplyAsync(string callerId, string rootId, CascadePlan plan, string? reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var moved = new List<string>();
        foreach (var id in plan.Descendants)
        {
            var former = await context.RetryAsync(async _ =>
            {
                var current = await context.Records.GetTaskAsync(id, cancellationToken).ConfigureAwait(false);
                if (current is not { } task || task.Value.IsDeleted || !plan.Workflow.IsBlocking(task.Value.Status))
                {
                    return (Moved: false, Owner: (string?)null);
                }

                var now = context.NowMs;
                var next = StatusChange.Apply(task.Value, plan.Status, plan.Workflow, now) with
                {
                    Owner = null,
                    ClaimedAt = null,
                    LeaseEpoch = task.Value.Owner is null ? task.Value.LeaseEpoch : task.Value.LeaseEpoch + 1,
                    UpdatedAt = now,
                    FinishedBy = callerId,
                    Change = new TaskChange { Kind = ChangeKinds.Cascade, Actor = callerId, Reason = reason ?? $"{plan.Status} with '{rootId}'", FromStatus = task.Value.Status, FromPhase = task.Value.Phase },
                };
                next = ClaimFence.Apply(task.Value, next, callerId, ChangeKinds.Force, now);
                var revision = await context.Records.PutTaskAsync(next, task.Revision, cancellationToken).ConfigureAwait(false);
                await context.SeenAsync(RecordKeys.Task(id), revision, cancellationToken).ConfigureAwait(false);
                return (Moved: true, task.Value.Owner);
            }, cancellationToken).ConfigureAwait(false);
            if (!former.Moved)
            {
                continue;
            }

            moved.Add(id);
            if (former.Owner is { } owner)
            {
                await ledger.UnreserveAsync(owner, id, cancellationToken).ConfigureAwait(false);
            }
        }

        if (moved.Count > 0)
        {
            var set = moved.ToHashSet(StringComparer.Ordinal);
            await releaser.RemoveMarksAsync(m => m.TaskId is { } t && set.Contains(t), cancellationToken).ConfigureAwait(false);
        }

        return moved;
    }

    private async Task<bool> AliveOtherAsync(string? owner, string callerId, long nowMs, CancellationToken cancellationToken) =>
        owner is not null && owner != callerId && await Lease.IsAliveAsync(context.Records, owner, nowMs, cancellationToken).ConfigureAwait(false);
}
