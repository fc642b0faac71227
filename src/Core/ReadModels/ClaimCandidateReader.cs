using Microsoft.Data.Sqlite;

namespace TaskGraph.Core.ReadModels;

/// <summary>
/// The claim-next queries: ranked candidates, and counts of why nothing is claimable. One statement each (optional filters
/// are parameters, so each is prepared once). The caller holds the read model's lock.
/// </summary>
/// <remarks>
/// A soft-deleted predecessor does not block, as in the claim rule (TaskService), which decides every claim anyway.
/// </remarks>
internal static class ClaimCandidateReader
{
    private const string Scope =
        """
        t.deleted_at IS NULL
          AND ($phase IS NULL OR t.phase = $phase)
          AND (json_array_length($tagsAny) = 0
               OR EXISTS (SELECT 1 FROM task_tags a WHERE a.task_id = t.id AND a.tag IN (SELECT value FROM json_each($tagsAny))))
          AND ($parent IS NULL
               OR EXISTS (SELECT 1 FROM dependencies r WHERE r.from_task_id = $parent AND r.to_task_id = t.id AND r.dep_type = 'contains'))
        """;

    private const string Blocked =
        """
        EXISTS (SELECT 1 FROM dependencies d JOIN tasks p ON p.id = d.from_task_id
            WHERE d.to_task_id = t.id AND d.dep_type IN (SELECT value FROM json_each($startTypes))
              AND p.deleted_at IS NULL AND p.status IN (SELECT value FROM json_each($blocking)))
        """;

    private const string Container =
        "EXISTS (SELECT 1 FROM dependencies c WHERE c.from_task_id = t.id AND c.dep_type IN (SELECT value FROM json_each($verticalTypes)))";

    private const string Qualifies =
        """
        (NOT EXISTS (SELECT 1 FROM task_needed_tags n WHERE n.task_id = t.id AND n.tag NOT IN (SELECT value FROM json_each($agentTags)))
         AND (NOT EXISTS (SELECT 1 FROM task_wanted_tags w WHERE w.task_id = t.id)
              OR EXISTS (SELECT 1 FROM task_wanted_tags w WHERE w.task_id = t.id AND w.tag IN (SELECT value FROM json_each($agentTags)))))
        """;

    private const string CandidatesSql =
        "SELECT t.id, t.priority, (SELECT COUNT(*) FROM task_wanted_tags f WHERE f.task_id = t.id AND f.tag IN (SELECT value FROM json_each($agentTags))) AS fit, t.created_at"
        + " FROM tasks t WHERE " + Scope
        + " AND t.status = $initial AND t.worker_id IS NULL AND NOT " + Blocked + " AND NOT " + Container + " AND " + Qualifies
        + " ORDER BY t.priority DESC, fit DESC, t.created_at ASC, t.rowid ASC LIMIT $limit";

    // An agent without tags: no wanted-tag fit to rank by, and only tasks that want and need nothing qualify. Ordered by
    // the claimable index alone (idx_tasks_claimable), so the scan stops after the first few ready tasks instead of
    // ranking every pending one.
    private const string UntaggedCandidatesSql =
        "SELECT t.id, t.priority, 0 AS fit, t.created_at"
        + " FROM tasks t INDEXED BY idx_tasks_claimable WHERE " + Scope
        + " AND t.status = $initial AND t.worker_id IS NULL AND NOT " + Blocked + " AND NOT " + Container
        + " AND NOT EXISTS (SELECT 1 FROM task_needed_tags n WHERE n.task_id = t.id)"
        + " AND NOT EXISTS (SELECT 1 FROM task_wanted_tags w WHERE w.task_id = t.id)"
        + " ORDER BY t.priority DESC, t.created_at ASC, t.rowid ASC LIMIT $limit";

    private const string CountsSql =
        "SELECT"
        + " COALESCE(SUM(CASE WHEN t.status = $initial AND t.worker_id IS NULL AND " + Blocked + " THEN 1 ELSE 0 END), 0),"
        + " COALESCE(SUM(CASE WHEN t.worker_id IS NOT NULL AND t.worker_id <> $worker THEN 1 ELSE 0 END), 0),"
        + " COALESCE(SUM(CASE WHEN t.status = $initial AND t.worker_id IS NULL AND NOT " + Blocked + " AND NOT " + Qualifies + " THEN 1 ELSE 0 END), 0)"
        + " FROM tasks t WHERE " + Scope + " AND NOT " + Container;

    public static IReadOnlyList<ClaimCandidate> Candidates(SqliteConnection db, ClaimCandidateQuery q, TaskQueryRules rules) =>
        SqlCommands.Query(
            db,
            q.AgentTags.Count == 0 ? UntaggedCandidatesSql : CandidatesSql,
            r => new ClaimCandidate(r.GetString(0), r.GetInt32(1), r.GetInt32(2), r.GetInt64(3)),
            [.. Parameters(q, rules), ("$limit", (long)Math.Max(0, q.Limit))]);

    public static UnclaimableCounts Counts(SqliteConnection db, ClaimCandidateQuery q, TaskQueryRules rules) =>
        SqlCommands.Query(
            db,
            CountsSql,
            r => new UnclaimableCounts(r.GetInt32(0), r.GetInt32(1), r.GetInt32(2)),
            [.. Parameters(q, rules), ("$worker", q.WorkerId)])[0];

    private static (string, object?)[] Parameters(ClaimCandidateQuery q, TaskQueryRules rules)
    {
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(rules);
        return
        [
            ("$initial", rules.InitialState),
            ("$blocking", SqlCommands.JsonList(rules.BlockingStates)),
            ("$startTypes", SqlCommands.JsonList(rules.StartBlockingTypes)),
            ("$verticalTypes", SqlCommands.JsonList(rules.VerticalTypes)),
            ("$agentTags", SqlCommands.JsonList(q.AgentTags)),
            ("$tagsAny", SqlCommands.JsonList(q.TagsAny)),
            ("$phase", q.Phase),
            ("$parent", q.Parent),
        ];
    }
}
