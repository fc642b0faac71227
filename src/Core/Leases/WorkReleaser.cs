using TaskGraph.Core.Errors;
using TaskGraph.Core.Graph;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Workflows;

namespace TaskGraph.Core.Leases;

/// <summary>Releases a worker's tasks and marks (disconnect, eviction). Idempotent and CAS-based: safe on every node at once.</summary>
public sealed class WorkReleaser(GraphContext context)
{
    /// <summary>The state released work goes to: <paramref name="finalStatus"/> or the workflow's disconnect state; it must be untimed.</summary>
    public static string ReleaseState(WorkflowDefinition workflow, string? finalStatus)
    {
        var target = finalStatus ?? workflow.Settings.DisconnectState;
        if (!workflow.HasState(target) || workflow.IsTimed(target))
        {
            throw TaskGraphException.Invalid(
                "final_status",
                $"final_status must be an untimed status, got '{target}'. Valid statuses: [{string.Join(", ", workflow.StateNames.Where(s => !workflow.IsTimed(s)))}]");
        }

        return target;
    }

    /// <summary>Moves every listed task that <paramref name="workerId"/> still owns to <paramref name="targetState"/>, with a history entry.</summary>
    public async Task<IReadOnlyList<string>> ReleaseTasksAsync(
        string workerId, IEnumerable<string> taskIds, WorkflowDefinition workflow, string targetState, string kind, string reason, string? actor,
        CancellationToken cancellationToken)
    {
        var released = new List<string>();
        foreach (var id in taskIds.Distinct(StringComparer.Ordinal))
        {
            var done = await context.RetryAsync(async _ =>
            {
                var current = await context.Records.GetTaskAsync(id, cancellationToken).ConfigureAwait(false);
                if (current is not { } task || task.Value.Owner != workerId)
                {
                    return false;
                }

                var now = context.NowMs;
                var next = StatusChange.Apply(task.Value, targetState, workflow, now) with
                {
                    Owner = null,
                    ClaimedAt = null,
                    LeaseEpoch = task.Value.LeaseEpoch + 1,
                    UpdatedAt = now,
                    Change = new TaskChange { Kind = kind, Actor = actor, Reason = reason, FromStatus = task.Value.Status, FromPhase = task.Value.Phase },
                };
                if (targetState != task.Value.Status)
                {
                    next = next with { FinishedBy = ClaimFence.IsFinished(workflow, targetState) ? actor : null };
                }

                // An eviction fences the evicted worker (its late writes are refused); a worker releasing its own work does not.
                next = ClaimFence.Apply(task.Value, next, kind == ChangeKinds.Evict ? null : actor, kind, now);
                var revision = await context.Records.PutTaskAsync(next, task.Revision, cancellationToken).ConfigureAwait(false);
                await context.SeenAsync(RecordKeys.Task(id), revision, cancellationToken).ConfigureAwait(false);
                return true;
            }, cancellationToken).ConfigureAwait(false);
            if (done)
            {
                released.Add(id);
            }
        }

        return released;
    }

    /// <summary>Removes every mark <paramref name="workerId"/> holds; returns the paths released.</summary>
    public async Task<IReadOnlyList<string>> ReleaseMarksAsync(string workerId, CancellationToken cancellationToken) =>
        [.. (await RemoveMarksAsync(m => m.Agent == workerId, cancellationToken).ConfigureAwait(false)).Select(m => m.File)];

    /// <summary>
    /// Removes every mark that matches, each at the revision it was listed at: a mark that changed hands meanwhile is no
    /// longer the one meant and stays. Returns the marks removed.
    /// </summary>
    public async Task<IReadOnlyList<MarkRecord>> RemoveMarksAsync(Func<MarkRecord, bool> match, CancellationToken cancellationToken)
    {
        var removed = new List<MarkRecord>();
        var marks = await context.Records.Store.ListAsync(RecordKeys.MarkPrefix, cancellationToken).ConfigureAwait(false);
        foreach (var entry in marks)
        {
            var mark = RecordJson.Deserialize<MarkRecord>(entry.Value);
            if (!match(mark))
            {
                continue;
            }

            try
            {
                var revision = await context.Records.DeleteAsync(entry.Key, entry.Revision, cancellationToken).ConfigureAwait(false);
                await context.SeenAsync(entry.Key, revision, cancellationToken).ConfigureAwait(false);
                removed.Add(mark);
            }
            catch (ConcurrencyConflictException)
            {
                // Released or re-marked by someone else since we listed it.
            }
        }

        return removed;
    }
}
