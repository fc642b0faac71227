using System.Text;
using Microsoft.Data.Sqlite;

namespace TaskGraph.Core.ReadModels;

/// <summary>Task and project history from <c>task_sequence</c> status rows. The caller holds the read model's lock.</summary>
internal sealed class HistoryReader(SqliteConnection db)
{
    private const string Columns = "id, task_id, worker_id, status, reason, timestamp, end_timestamp";

    public TaskHistory ForTask(string taskId, IReadOnlyList<string>? states, Func<string, bool> isTimed, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(isTimed);
        var rows = SqlCommands.Query(
            db,
            $"SELECT {Columns} FROM task_sequence WHERE task_id = $id AND status IS NOT NULL ORDER BY id",
            ReadTransition,
            ("$id", taskId));

        var perStatus = new Dictionary<string, long>(StringComparer.Ordinal);
        var perAgent = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var duration = Duration(row, nowMs);
            Add(perStatus, row.Status, duration);
            if (row.WorkerId is not null)
            {
                Add(perAgent, row.WorkerId, duration);
            }
        }

        long? current = null;
        if (rows.Count > 0 && rows[^1] is { EndTimestamp: null } open && isTimed(open.Status))
        {
            current = Math.Max(0, nowMs - open.Timestamp);
        }

        var history = states is { Count: > 0 } ? rows.Where(r => states.Contains(r.Status)).ToList() : rows;
        return new TaskHistory(history, current, perStatus, perAgent);
    }

    public ProjectHistory ForProject(long? fromMs, long? toMs, IReadOnlyList<string>? states, int limit, long nowMs)
    {
        var where = new StringBuilder(" WHERE status IS NOT NULL");
        var parameters = new List<(string, object?)>();
        if (fromMs is not null)
        {
            where.Append(" AND timestamp >= $from");
            parameters.Add(("$from", fromMs));
        }

        if (toMs is not null)
        {
            where.Append(" AND timestamp <= $to");
            parameters.Add(("$to", toMs));
        }

        var window = SqlCommands.Query(db, $"SELECT {Columns} FROM task_sequence{where} ORDER BY id DESC", ReadTransition, [.. parameters]);

        var byStatus = new Dictionary<string, int>(StringComparer.Ordinal);
        var timeByStatus = new Dictionary<string, long>(StringComparer.Ordinal);
        var byAgent = new Dictionary<string, int>(StringComparer.Ordinal);
        var timeByAgent = new Dictionary<string, long>(StringComparer.Ordinal);
        var tasks = new HashSet<string>(StringComparer.Ordinal);
        long total = 0;
        foreach (var row in window)
        {
            var duration = Duration(row, nowMs);
            total += duration;
            tasks.Add(row.TaskId);
            byStatus[row.Status] = byStatus.GetValueOrDefault(row.Status) + 1;
            Add(timeByStatus, row.Status, duration);
            if (row.WorkerId is not null)
            {
                byAgent[row.WorkerId] = byAgent.GetValueOrDefault(row.WorkerId) + 1;
                Add(timeByAgent, row.WorkerId, duration);
            }
        }

        IEnumerable<StatusTransition> transitions = window;
        if (states is { Count: > 0 })
        {
            transitions = transitions.Where(r => states.Contains(r.Status));
        }

        return new ProjectHistory(
            fromMs,
            toMs,
            new ProjectHistorySummary(window.Count, tasks.Count, total),
            [.. transitions.Take(Math.Max(0, limit))],
            byStatus,
            timeByStatus,
            byAgent,
            timeByAgent);
    }

    private static long Duration(StatusTransition row, long nowMs) => Math.Max(0, (row.EndTimestamp ?? nowMs) - row.Timestamp);

    private static void Add(Dictionary<string, long> totals, string key, long value) =>
        totals[key] = totals.GetValueOrDefault(key) + value;

    private static StatusTransition ReadTransition(SqliteDataReader r) => new(
        r.GetInt64(0),
        r.GetString(1),
        SqlCommands.StringOrNull(r, 2),
        r.GetString(3),
        SqlCommands.StringOrNull(r, 4),
        r.GetInt64(5),
        SqlCommands.Int64OrNull(r, 6));
}
