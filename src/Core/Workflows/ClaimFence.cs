using TaskGraph.Core.Errors;
using TaskGraph.Core.Records;

namespace TaskGraph.Core.Workflows;

/// <summary>
/// Fencing late writes: a worker that lost its claim on a task (its lease lapsed and the task was taken over, it was
/// evicted, someone released, completed or force-took the task) is remembered on the task record with the lease epoch it
/// held. A later write by that worker to that task, while it is not the owner, is refused with LEASE_EXPIRED naming who
/// holds or finished the task, never answered with a success. The entry goes when the worker legitimately claims the
/// task again. The check needs no read beyond the task the write reads anyway (docs/adr/0005).
/// </summary>
public static class ClaimFence
{
    /// <summary>Most fenced workers one task remembers (the oldest entry goes first).</summary>
    public const int MaxEntries = 8;

    /// <summary>True when <paramref name="status"/> is a finished state: untimed and no longer blocking (completed, failed, cancelled).</summary>
    public static bool IsFinished(WorkflowDefinition workflow, string status)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        return workflow.HasState(status) && !workflow.IsTimed(status) && !workflow.IsBlocking(status);
    }

    /// <summary>The fence entry of <paramref name="workerId"/> on <paramref name="task"/> while it does not own the task; else null.</summary>
    public static FencedClaim? For(TaskRecord task, string workerId)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task.Owner == workerId ? null : task.Fenced?.LastOrDefault(f => f.WorkerId == workerId);
    }

    /// <summary>
    /// The fence list of <paramref name="next"/> after a write by <paramref name="actor"/>: a former owner that lost the task to
    /// someone else is added (with the epoch it held in <paramref name="before"/>); the new owner's own entry goes.
    /// </summary>
    public static TaskRecord Apply(TaskRecord before, TaskRecord next, string? actor, string how, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(next);
        var entries = next.Fenced ?? [];
        if (before.Owner is { } former && next.Owner != former && actor != former)
        {
            entries = [.. entries.Where(f => f.WorkerId != former), new FencedClaim(former, before.LeaseEpoch, how, nowMs)];
            if (entries.Count > MaxEntries)
            {
                entries = [.. entries.Skip(entries.Count - MaxEntries)];
            }
        }

        if (next.Owner is { } owner && entries.Any(f => f.WorkerId == owner))
        {
            entries = [.. entries.Where(f => f.WorkerId != owner)];
        }

        return next with { Fenced = entries.Count == 0 ? null : entries };
    }

    /// <summary>LEASE_EXPIRED for a write by a fenced worker: names who holds or finished the task now.</summary>
    public static TaskGraphException Refused(TaskRecord task, FencedClaim fence, string field)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(fence);
        var lost = fence.How switch
        {
            ChangeKinds.Evict => "was evicted by the stale-worker sweeper",
            ChangeKinds.Force => "had its claim force-taken",
            ChangeKinds.Takeover => "let its lease lapse and the task was taken over",
            ChangeKinds.Assign => "had the task reassigned",
            _ => "had its claim released by another worker",
        };
        return new TaskGraphException(ErrorCodes.LeaseExpired, $"Worker '{fence.WorkerId}' no longer holds task '{task.Id}': it {lost}; {Holder(task)}. Nothing was changed.")
        {
            Field = field,
            Details = Details(task, fence),
            Suggestion = "Drop this task and pick another from list_tasks(ready=true); if it is unowned again, claim(task) first.",
        };
    }

    /// <summary>LEASE_EXPIRED for a worker past its deadline whose task is no longer its own: names who holds or finished it.</summary>
    public static TaskGraphException LeaseLapsed(string workerId, TaskRecord task, string field)
    {
        ArgumentNullException.ThrowIfNull(task);
        var fence = For(task, workerId);
        return new TaskGraphException(ErrorCodes.LeaseExpired, $"Worker '{workerId}' missed its heartbeat deadline and does not hold task '{task.Id}'; {Holder(task)}. Nothing was changed.")
        {
            Field = field,
            Details = Details(task, fence),
            Suggestion = "Reconnect with connect(worker_id, force=true), then pick a task from list_tasks(ready=true).",
        };
    }

    /// <summary>NOT_OWNER for finishing a task someone else already finished (it is not a silent no-op).</summary>
    public static TaskGraphException AlreadyFinished(TaskRecord task, string workerId)
    {
        ArgumentNullException.ThrowIfNull(task);
        var by = task.FinishedBy is null ? string.Empty : $" by '{task.FinishedBy}'";
        return new TaskGraphException(ErrorCodes.NotOwner, $"Task '{task.Id}' was already {task.Status}{by}; '{workerId}' cannot {task.Status} it again. Nothing was changed.")
        {
            Field = "task",
            Details = Details(task, null),
            Suggestion = "Pick another task from list_tasks(ready=true).",
        };
    }

    private static string Holder(TaskRecord task) =>
        task.Owner is { } owner ? $"it is now held by '{owner}' ({task.Status})"
        : task.FinishedBy is { } finisher ? $"it was {task.Status} by '{finisher}'"
        : $"it is unowned ({task.Status})";

    private static Dictionary<string, object?> Details(TaskRecord task, FencedClaim? fence)
    {
        var details = new Dictionary<string, object?> { ["task"] = task.Id, ["status"] = task.Status, ["lease_epoch"] = task.LeaseEpoch };
        if (task.Owner is not null)
        {
            details["owner"] = task.Owner;
        }

        if (task.FinishedBy is not null)
        {
            details["finished_by"] = task.FinishedBy;
        }

        if (fence is not null)
        {
            details["your_epoch"] = fence.Epoch;
            details["lost_by"] = fence.How;
        }

        return details;
    }
}
