using TaskGraph.Core.Records;

namespace TaskGraph.Core.Workflows;

/// <summary>The bookkeeping of a status change: time accrual from timed states, started/completed stamps.</summary>
public static class StatusChange
{
    /// <summary>Returns <paramref name="task"/> moved to <paramref name="status"/> at <paramref name="nowMs"/>; the same task when unchanged.</summary>
    public static TaskRecord Apply(TaskRecord task, string status, WorkflowDefinition workflow, long nowMs)
    {
        if (task.Status == status)
        {
            return task;
        }

        var accrued = workflow.IsTimed(task.Status) ? Math.Max(0, nowMs - task.StatusSince) : 0;
        var entersTimed = workflow.IsTimed(status);
        return task with
        {
            Status = status,
            StatusSince = nowMs,
            TimeActualMs = task.TimeActualMs + accrued,
            StartedAt = task.StartedAt ?? (entersTimed ? nowMs : null),
            CompletedAt = status == workflow.Settings.CompletedState ? nowMs : task.CompletedAt,
        };
    }
}
