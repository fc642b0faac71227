using Microsoft.Data.Sqlite;

namespace TaskGraph.Core.ReadModels;

/// <summary>The status summary as two grouped scans of the read model's tasks (one per status, one per phase).</summary>
internal static class SummaryReader
{
    private const string Subtree =
        """
        WITH RECURSIVE sub(id) AS (
            SELECT to_task_id FROM dependencies WHERE from_task_id = $parent AND dep_type IN (SELECT value FROM json_each($verticalTypes))
            UNION
            SELECT d.to_task_id FROM dependencies d JOIN sub ON d.from_task_id = sub.id WHERE d.dep_type IN (SELECT value FROM json_each($verticalTypes)))

        """;

    public static StatusSummary Summarize(SqliteConnection db, string? parent, TaskQueryRules rules)
    {
        var scope = parent is null ? "" : " AND t.id IN (SELECT id FROM sub)";
        var with = parent is null ? "" : Subtree;
        (string, object?)[] parameters =
        [
            ("$initial", rules.InitialState),
            ("$blocking", SqlCommands.JsonList(rules.BlockingStates)),
            ("$startTypes", SqlCommands.JsonList(rules.StartBlockingTypes)),
            ("$verticalTypes", SqlCommands.JsonList(rules.VerticalTypes)),
            ("$parent", parent),
        ];
        const string blocked =
            """
            EXISTS (SELECT 1 FROM dependencies d JOIN tasks p ON p.id = d.from_task_id
                WHERE d.to_task_id = t.id AND d.dep_type IN (SELECT value FROM json_each($startTypes))
                AND p.status IN (SELECT value FROM json_each($blocking)) AND p.deleted_at IS NULL)
            """;
        const string container = "EXISTS (SELECT 1 FROM dependencies c WHERE c.from_task_id = t.id AND c.dep_type IN (SELECT value FROM json_each($verticalTypes)))";
        var rows = SqlCommands.Query(
            db,
            $"""
            {with}SELECT t.status, COUNT(*), COALESCE(SUM(t.points), 0),
                COALESCE(SUM(CASE WHEN t.status IN (SELECT value FROM json_each($blocking)) THEN 0 ELSE t.points END), 0),
                COALESCE(SUM(t.cost_usd), 0), COALESCE(SUM(t.time_actual_ms), 0),
                SUM(CASE WHEN t.worker_id IS NOT NULL THEN 1 ELSE 0 END),
                SUM(CASE WHEN t.status = $initial AND t.worker_id IS NULL AND NOT {blocked} AND NOT {container} THEN 1 ELSE 0 END),
                SUM(CASE WHEN t.status = $initial AND {blocked} THEN 1 ELSE 0 END)
            FROM tasks t WHERE t.deleted_at IS NULL{scope}
            GROUP BY t.status ORDER BY t.status
            """,
            r => (Status: r.GetString(0), Count: r.GetInt32(1), Points: r.GetInt64(2), Done: r.GetInt64(3), Cost: r.GetDouble(4), Time: r.GetInt64(5), Claimed: r.GetInt32(6), Ready: r.GetInt32(7), Blocked: r.GetInt32(8)),
            parameters);
        var phases = SqlCommands.Query(
            db,
            $"{with}SELECT t.phase, COUNT(*) FROM tasks t WHERE t.deleted_at IS NULL AND t.phase IS NOT NULL{scope} GROUP BY t.phase ORDER BY t.phase",
            r => (Phase: r.GetString(0), Count: r.GetInt32(1)),
            parameters);
        var workers = Convert.ToInt32(SqlCommands.Scalar(db, "SELECT COUNT(*) FROM workers"), System.Globalization.CultureInfo.InvariantCulture);
        return new StatusSummary
        {
            Total = rows.Sum(r => r.Count),
            ByStatus = rows.ToDictionary(r => r.Status, r => r.Count, StringComparer.Ordinal),
            ByPhase = phases.ToDictionary(p => p.Phase, p => p.Count, StringComparer.Ordinal),
            Ready = rows.Sum(r => r.Ready),
            Blocked = rows.Sum(r => r.Blocked),
            Claimed = rows.Sum(r => r.Claimed),
            PointsTotal = rows.Sum(r => r.Points),
            PointsDone = rows.Sum(r => r.Done),
            CostUsd = rows.Sum(r => r.Cost),
            TimeActualMs = rows.Sum(r => r.Time),
            Workers = workers,
        };
    }
}
