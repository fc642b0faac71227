using System.Text;
using Microsoft.Data.Sqlite;
using TaskGraph.Core.Errors;

namespace TaskGraph.Core.ReadModels;

/// <summary>FTS5 search over task titles and descriptions. The caller holds the read model's lock.</summary>
internal sealed class TaskSearch(SqliteConnection db)
{
    public SearchPage Search(string query, int limit, int offset, IReadOnlyList<string>? statusFilter, bool includeDeleted)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            throw TaskGraphException.Invalid("query", "query must not be empty");
        }

        if (limit < 1)
        {
            throw TaskGraphException.Invalid("limit", $"limit must be at least 1, got {limit}");
        }

        if (offset < 0)
        {
            throw TaskGraphException.Invalid("offset", $"offset must be at least 0, got {offset}");
        }

        var sql = new StringBuilder(
            """
            SELECT t.id, t.title, t.description, t.status, bm25(tasks_fts) AS score,
                snippet(tasks_fts, 1, '<mark>', '</mark>', '...', 32),
                snippet(tasks_fts, 2, '<mark>', '</mark>', '...', 64)
            FROM tasks_fts JOIN tasks t ON t.rowid = tasks_fts.rowid
            WHERE tasks_fts MATCH $query
            """);
        var parameters = new List<(string, object?)> { ("$query", query) };
        if (!includeDeleted)
        {
            sql.Append(" AND t.deleted_at IS NULL");
        }

        if (statusFilter is { Count: > 0 })
        {
            sql.Append(" AND t.status IN (SELECT value FROM json_each($statuses))");
            parameters.Add(("$statuses", SqlCommands.JsonList(statusFilter)));
        }

        sql.Append(" ORDER BY score, t.rowid LIMIT $limit OFFSET $offset");
        parameters.Add(("$limit", limit + 1L));
        parameters.Add(("$offset", offset));

        List<SearchHit> hits;
        try
        {
            hits = SqlCommands.Query(
                db,
                sql.ToString(),
                r => new SearchHit(
                    r.GetString(0),
                    r.GetString(1),
                    SqlCommands.StringOrNull(r, 2),
                    r.GetString(3),
                    r.GetDouble(4),
                    r.IsDBNull(5) ? string.Empty : r.GetString(5),
                    r.IsDBNull(6) ? string.Empty : r.GetString(6)),
                [.. parameters]);
        }
        catch (SqliteException ex)
        {
            // The statement is fixed; only the user's MATCH expression can make it fail (syntax, unknown column).
            throw new TaskGraphException(
                ErrorCodes.InvalidFieldValue,
                $"Invalid search query '{query}': {ex.Message.Replace("SQLite Error 1: ", string.Empty, StringComparison.Ordinal).TrimEnd('.')}. "
                + "Use words, \"phrases\", prefix*, AND/OR/NOT and title:/description: column filters.")
            {
                Field = "query",
            };
        }

        var hasMore = hits.Count > limit;
        if (hasMore)
        {
            hits.RemoveAt(hits.Count - 1);
        }

        return new SearchPage(hits, hasMore);
    }
}
