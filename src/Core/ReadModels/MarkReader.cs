using System.Text;
using Microsoft.Data.Sqlite;
using TaskGraph.Core.Records;

namespace TaskGraph.Core.ReadModels;

/// <summary>File marks and their claim/release events. The caller holds the read model's lock.</summary>
internal sealed class MarkReader(SqliteConnection db)
{
    public IReadOnlyList<MarkEvent> EventsFrom(ulong position) =>
        SqlCommands.Query(
            db,
            """
            SELECT id, file_path, worker_id, task_id, event, reason, claim_id, timestamp, end_timestamp
            FROM claim_sequence WHERE id >= $pos ORDER BY id
            """,
            r => new MarkEvent(
                (ulong)r.GetInt64(0),
                r.GetString(1),
                r.GetString(2),
                SqlCommands.StringOrNull(r, 3),
                r.GetString(4),
                SqlCommands.StringOrNull(r, 5),
                r.IsDBNull(6) ? null : (ulong)r.GetInt64(6),
                r.GetInt64(7),
                SqlCommands.Int64OrNull(r, 8)),
            ("$pos", position > long.MaxValue ? long.MaxValue : (long)position));

    public IReadOnlyList<MarkRecord> List(IReadOnlyList<string>? files, string? agent, string? taskId)
    {
        var sql = new StringBuilder("SELECT file_path, worker_id, task_id, reason, locked_at, is_lock FROM file_locks WHERE 1 = 1");
        var parameters = new List<(string, object?)>();
        if (files is { Count: > 0 })
        {
            sql.Append(" AND file_path IN (SELECT value FROM json_each($files))");
            parameters.Add(("$files", SqlCommands.JsonList(files)));
        }

        if (agent is not null)
        {
            sql.Append(" AND worker_id = $agent");
            parameters.Add(("$agent", agent));
        }

        if (taskId is not null)
        {
            sql.Append(" AND task_id = $task");
            parameters.Add(("$task", taskId));
        }

        sql.Append(" ORDER BY file_path");
        return SqlCommands.Query(
            db,
            sql.ToString(),
            r => new MarkRecord
            {
                File = r.GetString(0),
                Agent = r.GetString(1),
                TaskId = SqlCommands.StringOrNull(r, 2),
                Reason = SqlCommands.StringOrNull(r, 3),
                MarkedAt = r.GetInt64(4),
                IsLock = r.GetInt64(5) != 0,
            },
            [.. parameters]);
    }
}
