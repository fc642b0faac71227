using TaskGraph.Core.Errors;
using TaskGraph.Core.Graph;
using TaskGraph.Core.ReadModels;

namespace TaskGraph.Core.Queries;

/// <summary>
/// History reads: one task's transitions and time per status and agent, and a project's transitions in a window. Both
/// come from the read model's projection of the store's log, stamped with the times the changes were made. A status is
/// timed when any workflow of the config times it, since different workers may have moved the task under different ones.
/// </summary>
public sealed class HistoryQueries
{
    private readonly GraphContext _context;
    private readonly ReadModel _reads;

    internal HistoryQueries(GraphContext context, ReadModel reads)
    {
        _context = context;
        _reads = reads;
    }

    /// <summary>A task's history, only transitions into <paramref name="states"/> when given; TASK_NOT_FOUND for an unknown task.</summary>
    public TaskHistory ForTask(string id, IReadOnlyList<string> states, QueryScope scope)
    {
        ArgumentNullException.ThrowIfNull(states);
        ArgumentNullException.ThrowIfNull(scope);
        Limits.Id(id, "task");
        if (_reads.GetTask(id) is null)
        {
            throw TaskGraphException.TaskNotFound(id);
        }

        var config = _context.Config;
        return _reads.GetTaskHistory(id, states.Count == 0 ? null : states, config.IsTimedAnywhere, _context.NowMs);
    }

    /// <summary>The transitions between <paramref name="fromMs"/> and <paramref name="toMs"/> (epoch ms), at most <paramref name="limit"/> (1..1000) listed.</summary>
    public ProjectHistory ForProject(long? fromMs, long? toMs, IReadOnlyList<string> states, int? limit, QueryScope scope)
    {
        ArgumentNullException.ThrowIfNull(states);
        ArgumentNullException.ThrowIfNull(scope);
        if (limit is < 1 or > 1000)
        {
            throw TaskGraphException.Invalid("limit", "limit must be between 1 and 1000");
        }

        return _reads.GetProjectHistory(fromMs, toMs, states.Count == 0 ? null : states, limit ?? 100, _context.NowMs);
    }
}
