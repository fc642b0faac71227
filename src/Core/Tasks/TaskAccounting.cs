using TaskGraph.Core.Errors;
using TaskGraph.Core.Graph;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;

namespace TaskGraph.Core.Tasks;

/// <summary>
/// Cost and metric accounting on tasks: <c>log_metrics</c> adds to a task's cost and to its eight metric slots (any caller,
/// owned or not: accounting is not a transition), <c>get_metrics</c> sums them over tasks. An addition is a
/// compare-and-swap on the task that re-reads and adds again when another write landed first, so concurrent additions
/// are all counted; a write whose outcome is unknown is recognised on re-read by its request id and never added twice.
/// </summary>
public sealed class TaskAccounting(GraphContext context)
{
    /// <summary>How many metric slots a task has.</summary>
    public const int Slots = 8;

    // An addition commutes with every other write, so a crowd adding to one task retries rather than answering CONFLICT.
    private const int ContendedAttempts = 256;

    /// <summary>Adds <paramref name="costUsd"/> and <paramref name="values"/> (slot i gets values[i]) to the task; returns the task after.</summary>
    public async Task<TaskRecord> LogAsync(string taskId, string? actor, double? costUsd, IReadOnlyList<long>? values, CancellationToken cancellationToken = default)
    {
        Limits.Id(taskId, "task");
        values ??= [];
        if (values.Count > Slots)
        {
            throw TaskGraphException.Invalid("values", $"values has {values.Count} items; a task has {Slots} metric slots");
        }

        if (values.Any(v => v < 0))
        {
            throw TaskGraphException.Invalid("values", "metric values must be zero or positive");
        }

        if (costUsd is { } cost && (!double.IsFinite(cost) || cost < 0 || cost > 1e9))
        {
            throw TaskGraphException.Invalid("cost_usd", "cost_usd must be a finite amount between 0 and 1,000,000,000");
        }

        var requestId = Guid.NewGuid().ToString("N");
        return await context.RetryAsync(
            async _ =>
            {
                var entry = await context.Records.GetTaskAsync(taskId, cancellationToken).ConfigureAwait(false)
                    ?? throw TaskGraphException.TaskNotFound(taskId);
                var task = entry.Value;
                if (task.Change?.RequestId == requestId)
                {
                    return task;
                }

                var metrics = new long[Math.Max(task.Metrics.Count, values.Count)];
                for (var i = 0; i < metrics.Length; i++)
                {
                    var (had, add) = (i < task.Metrics.Count ? task.Metrics[i] : 0, i < values.Count ? values[i] : 0);
                    metrics[i] = add <= long.MaxValue - had
                        ? had + add
                        : throw TaskGraphException.Invalid("values", $"slot {i} would pass {long.MaxValue} ({had} + {add})");
                }

                var next = task with
                {
                    Metrics = Trim(metrics),
                    CostUsd = Math.Round(task.CostUsd + (costUsd ?? 0), 9),
                    UpdatedAt = context.NowMs,
                    Change = new TaskChange { Kind = ChangeKinds.Metrics, Actor = actor, FromStatus = task.Status, FromPhase = task.Phase, RequestId = requestId },
                };
                var revision = await context.Records.PutTaskAsync(next, entry.Revision, cancellationToken).ConfigureAwait(false);
                await context.SeenAsync(RecordKeys.Task(taskId), revision, cancellationToken).ConfigureAwait(false);
                return next;
            },
            ContendedAttempts,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The cost and metrics of the tasks found among <paramref name="taskIds"/>, summed; TASK_NOT_FOUND when none is found.</summary>
    public async Task<MetricsTotal> GetAsync(IReadOnlyList<string> taskIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(taskIds);
        if (taskIds.Count == 0)
        {
            throw new TaskGraphException(ErrorCodes.MissingRequiredField, "task is required") { Field = "task" };
        }

        var ids = taskIds.Select(id => Limits.Id(id, "task")).Distinct(StringComparer.Ordinal).ToList();
        var found = new List<TaskRecord>();
        foreach (var entry in await Task.WhenAll(ids.Select(id => context.Records.GetTaskAsync(id, cancellationToken).AsTask())).ConfigureAwait(false))
        {
            if (entry is { } e)
            {
                found.Add(e.Value);
            }
        }

        if (found.Count == 0)
        {
            throw new TaskGraphException(ErrorCodes.TaskNotFound, "No tasks found with the provided IDs") { Field = "task" };
        }

        var sums = new long[Slots];
        foreach (var task in found)
        {
            for (var i = 0; i < Math.Min(Slots, task.Metrics.Count); i++)
            {
                sums[i] += task.Metrics[i];
            }
        }

        return new MetricsTotal([.. found.Select(t => t.Id)], Math.Round(found.Sum(t => t.CostUsd), 9), sums);
    }

    private static long[] Trim(long[] metrics)
    {
        var length = metrics.Length;
        while (length > 0 && metrics[length - 1] == 0)
        {
            length--;
        }

        return metrics[..length];
    }
}
