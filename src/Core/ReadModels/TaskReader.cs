using System.Text;
using Microsoft.Data.Sqlite;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Records;

namespace TaskGraph.Core.ReadModels;

/// <summary>Task, graph and worker queries. The caller holds the read model's lock.</summary>
internal sealed class TaskReader(SqliteConnection db)
{
    private static readonly TaskQueryRules DefaultRules = new();

    public TaskRecord? Get(string id)
    {
        var json = SqlCommands.Scalar(db, "SELECT record FROM tasks WHERE id = $id", ("$id", id)) as string;
        return json is null ? null : Parse(json);
    }

    public TaskPage List(TaskListQuery q, TaskQueryRules rules)
    {
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(rules);
        if (q.Limit is < 0)
        {
            throw TaskGraphException.Invalid("limit", $"limit must be at least 0, got {q.Limit}");
        }

        if (q.Offset < 0)
        {
            throw TaskGraphException.Invalid("offset", $"offset must be at least 0, got {q.Offset}");
        }

        var sortColumn = q.SortBy switch
        {
            null => null,
            "priority" => "t.priority",
            "created_at" => "t.created_at",
            "updated_at" => "t.updated_at",
            _ => throw TaskGraphException.Invalid("sort_by", $"sort_by must be priority, created_at or updated_at, got '{q.SortBy}'"),
        };
        var direction = q.SortOrder switch
        {
            null or "desc" => "DESC",
            "asc" => "ASC",
            _ => throw TaskGraphException.Invalid("sort_order", $"sort_order must be asc or desc, got '{q.SortOrder}'"),
        };

        var parameters = new List<(string, object?)>
        {
            ("$initial", rules.InitialState),
            ("$blocking", SqlCommands.JsonList(rules.BlockingStates)),
            ("$startTypes", SqlCommands.JsonList(rules.StartBlockingTypes)),
            ("$verticalTypes", SqlCommands.JsonList(rules.VerticalTypes)),
        };
        var sql = new StringBuilder();
        var recursive = q.Recursive && q.Parent is not null && q.Parent != "null";
        if (recursive)
        {
            sql.Append(
                """
                WITH RECURSIVE sub(id) AS (
                    SELECT to_task_id FROM dependencies WHERE from_task_id = $parent AND dep_type = 'contains'
                    UNION
                    SELECT d.to_task_id FROM dependencies d JOIN sub ON d.from_task_id = sub.id WHERE d.dep_type = 'contains')

                """);
        }

        sql.Append("SELECT t.record FROM tasks t WHERE t.deleted_at IS NULL");
        if (q.Statuses.Count > 0)
        {
            sql.Append(" AND t.status IN (SELECT value FROM json_each($statuses))");
            parameters.Add(("$statuses", SqlCommands.JsonList(q.Statuses)));
        }

        const string blockedByPredecessor =
            """
            EXISTS (SELECT 1 FROM dependencies d JOIN tasks p ON p.id = d.from_task_id
                WHERE d.to_task_id = t.id AND d.dep_type IN (SELECT value FROM json_each($startTypes))
                AND p.status IN (SELECT value FROM json_each($blocking)))
            """;
        if (q.Ready)
        {
            sql.Append(" AND t.status = $initial AND t.worker_id IS NULL AND NOT ").Append(blockedByPredecessor)
                .Append(" AND NOT EXISTS (SELECT 1 FROM dependencies c WHERE c.from_task_id = t.id AND c.dep_type IN (SELECT value FROM json_each($verticalTypes)))");
        }

        if (q.Blocked)
        {
            sql.Append(" AND t.status = $initial AND ").Append(blockedByPredecessor);
        }

        if (q.Claimed)
        {
            sql.Append(" AND t.worker_id IS NOT NULL");
        }

        if (q.Owner is not null)
        {
            sql.Append(" AND t.worker_id = $owner");
            parameters.Add(("$owner", q.Owner));
        }

        if (q.Parent == "null")
        {
            // Roots only; recursive from the (virtual) root level means every task, i.e. no parent filter.
            if (!q.Recursive)
            {
                sql.Append(" AND NOT EXISTS (SELECT 1 FROM dependencies r WHERE r.to_task_id = t.id AND r.dep_type = 'contains')");
            }
        }
        else if (q.Parent is not null)
        {
            sql.Append(recursive
                ? " AND t.id IN (SELECT id FROM sub)"
                : " AND EXISTS (SELECT 1 FROM dependencies r WHERE r.from_task_id = $parent AND r.to_task_id = t.id AND r.dep_type = 'contains')");
            parameters.Add(("$parent", q.Parent));
        }

        if (q.AgentTags is not null)
        {
            sql.Append(
                """
                 AND NOT EXISTS (SELECT 1 FROM task_needed_tags n WHERE n.task_id = t.id AND n.tag NOT IN (SELECT value FROM json_each($agentTags)))
                 AND (NOT EXISTS (SELECT 1 FROM task_wanted_tags w WHERE w.task_id = t.id)
                      OR EXISTS (SELECT 1 FROM task_wanted_tags w WHERE w.task_id = t.id AND w.tag IN (SELECT value FROM json_each($agentTags))))
                """);
            parameters.Add(("$agentTags", SqlCommands.JsonList(q.AgentTags)));
        }

        if (q.TagsAny.Count > 0)
        {
            sql.Append(" AND EXISTS (SELECT 1 FROM task_tags a WHERE a.task_id = t.id AND a.tag IN (SELECT value FROM json_each($tagsAny)))");
            parameters.Add(("$tagsAny", SqlCommands.JsonList(q.TagsAny)));
        }

        if (q.TagsAll.Count > 0)
        {
            var all = q.TagsAll.Distinct(StringComparer.Ordinal).ToList();
            sql.Append(" AND (SELECT COUNT(*) FROM task_tags a WHERE a.task_id = t.id AND a.tag IN (SELECT value FROM json_each($tagsAll))) = $tagsAllCount");
            parameters.Add(("$tagsAll", SqlCommands.JsonList(all)));
            parameters.Add(("$tagsAllCount", all.Count));
        }

        if (q.Phase is not null)
        {
            sql.Append(" AND t.phase = $phase");
            parameters.Add(("$phase", q.Phase));
        }

        // rowid (insertion order) breaks ties, so equal sort keys still page deterministically.
        sql.Append(sortColumn is null && q.Ready
            ? " ORDER BY t.priority DESC, t.created_at DESC, t.rowid DESC"
            : $" ORDER BY {sortColumn ?? "t.created_at"} {direction}, t.rowid {direction}");
        sql.Append(" LIMIT $limit OFFSET $offset");
        parameters.Add(("$limit", q.Limit is { } l ? l + 1L : -1L));
        parameters.Add(("$offset", q.Offset));

        var tasks = SqlCommands.Query(db, sql.ToString(), r => Parse(r.GetString(0)), [.. parameters]);
        var hasMore = q.Limit is { } limit && tasks.Count > limit;
        if (hasMore)
        {
            tasks.RemoveAt(tasks.Count - 1);
        }

        return new TaskPage(tasks, hasMore);
    }

    public IReadOnlyList<string> BlockedBy(string taskId, TaskQueryRules rules, bool unsatisfiedOnly)
    {
        var sql = unsatisfiedOnly
            ? """
              SELECT d.from_task_id FROM dependencies d JOIN tasks p ON p.id = d.from_task_id
              WHERE d.to_task_id = $id AND d.dep_type IN (SELECT value FROM json_each($types))
                AND p.status IN (SELECT value FROM json_each($blocking))
              ORDER BY d.rowid
              """
            : """
              SELECT d.from_task_id FROM dependencies d
              WHERE d.to_task_id = $id AND d.dep_type IN (SELECT value FROM json_each($types))
              ORDER BY d.rowid
              """;
        return SqlCommands.Query(
                db,
                sql,
                r => r.GetString(0),
                ("$id", taskId),
                ("$types", SqlCommands.JsonList(rules.StartBlockingTypes)),
                ("$blocking", SqlCommands.JsonList(rules.BlockingStates)))
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    public IReadOnlyList<DependencyEdge> EdgesFrom(string id) =>
        SqlCommands.Query(db, "SELECT from_task_id, to_task_id, dep_type FROM dependencies WHERE from_task_id = $id ORDER BY rowid", ReadEdge, ("$id", id));

    public IReadOnlyList<DependencyEdge> EdgesTo(string id) =>
        SqlCommands.Query(db, "SELECT from_task_id, to_task_id, dep_type FROM dependencies WHERE to_task_id = $id ORDER BY rowid", ReadEdge, ("$id", id));

    public IReadOnlyList<string> Children(string id, TaskQueryRules? rules = null) =>
        SqlCommands.Query(
            db,
            "SELECT to_task_id FROM dependencies WHERE from_task_id = $id AND dep_type IN (SELECT value FROM json_each($types)) ORDER BY rowid",
            r => r.GetString(0),
            ("$id", id),
            ("$types", SqlCommands.JsonList((rules ?? DefaultRules).VerticalTypes)));

    public string? Parent(string id, TaskQueryRules? rules = null) =>
        SqlCommands.Scalar(
            db,
            "SELECT from_task_id FROM dependencies WHERE to_task_id = $id AND dep_type IN (SELECT value FROM json_each($types)) ORDER BY rowid LIMIT 1",
            ("$id", id),
            ("$types", SqlCommands.JsonList((rules ?? DefaultRules).VerticalTypes))) as string;

    /// <summary>Around a task: before/after over the start-blocking types, above/below over the vertical (parent/child) types.</summary>
    public ScanResult Scan(string id, int before, int after, int above, int below, TaskQueryRules? rules = null)
    {
        var root = Get(id) ?? throw TaskGraphException.TaskNotFound(id);
        var r = rules ?? DefaultRules;
        var horizontal = SqlCommands.JsonList([.. r.StartBlockingTypes.Except(r.VerticalTypes)]);
        var contains = SqlCommands.JsonList(r.VerticalTypes);
        return new ScanResult(
            root,
            Walk(id, before, "SELECT from_task_id FROM dependencies WHERE to_task_id = $id AND dep_type IN (SELECT value FROM json_each($types)) ORDER BY rowid", horizontal),
            Walk(id, after, "SELECT to_task_id FROM dependencies WHERE from_task_id = $id AND dep_type IN (SELECT value FROM json_each($types)) ORDER BY rowid", horizontal),
            Walk(id, above, "SELECT from_task_id FROM dependencies WHERE to_task_id = $id AND dep_type IN (SELECT value FROM json_each($types)) ORDER BY rowid", contains),
            Walk(id, below, "SELECT to_task_id FROM dependencies WHERE from_task_id = $id AND dep_type IN (SELECT value FROM json_each($types)) ORDER BY rowid", contains));
    }

    public IReadOnlyList<WorkerRecord> Workers() =>
        SqlCommands.Query(db, "SELECT record FROM workers ORDER BY id", r => RecordJson.Deserialize<WorkerRecord>(Encoding.UTF8.GetBytes(r.GetString(0))));

    public IReadOnlyList<TaskRecord> OwnedBy(string workerId) =>
        SqlCommands.Query(
            db,
            "SELECT record FROM tasks WHERE worker_id = $w AND deleted_at IS NULL ORDER BY created_at, rowid",
            r => Parse(r.GetString(0)),
            ("$w", workerId));

    /// <summary>Breadth-first over one edge direction; <paramref name="depth"/> 0 = none, N = levels, negative = all.</summary>
    private List<TaskRecord> Walk(string start, int depth, string neighboursSql, string types)
    {
        var found = new List<TaskRecord>();
        if (depth == 0)
        {
            return found;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal) { start };
        var frontier = new List<string> { start };
        for (var level = 0; frontier.Count > 0 && (depth < 0 || level < depth); level++)
        {
            var next = new List<string>();
            foreach (var node in frontier)
            {
                foreach (var neighbour in SqlCommands.Query(db, neighboursSql, r => r.GetString(0), ("$id", node), ("$types", types)))
                {
                    if (seen.Add(neighbour))
                    {
                        next.Add(neighbour);
                        if (Get(neighbour) is { } task)
                        {
                            found.Add(task);
                        }
                    }
                }
            }

            frontier = next;
        }

        return found;
    }

    private static DependencyEdge ReadEdge(SqliteDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2));

    private static TaskRecord Parse(string json) => RecordJson.Deserialize<TaskRecord>(Encoding.UTF8.GetBytes(json));
}
