using System.Text;
using Microsoft.Data.Sqlite;
using TaskGraph.Core.Errors;

namespace TaskGraph.Core.ReadModels;

/// <summary>FTS5 search over task titles and descriptions, and attachment text when asked. The caller holds the read model's lock.</summary>
internal sealed class TaskSearch(SqliteConnection db)
{
    private const string TaskSnippets = "snippet(tasks_fts, 1, '<mark>', '</mark>', '...', 32), snippet(tasks_fts, 2, '<mark>', '</mark>', '...', 64)";

    private const string TitlesAndDescriptions =
        $"""
        SELECT t.id, t.title, t.description, t.status, bm25(tasks_fts) AS score, {TaskSnippets}
        FROM tasks_fts JOIN tasks t ON t.rowid = tasks_fts.rowid
        WHERE tasks_fts MATCH $query
        """;

    // Attachment text counts only while the task still lists that content (a refused attach's content never matches).
    // Column filters (title:, description:) match nothing in attachment text: those columns are empty there.
    private const string WithAttachments =
        $"""
        WITH hits (rid, score, title_snippet, description_snippet, attachment_snippet) AS (
            SELECT tasks_fts.rowid, bm25(tasks_fts), {TaskSnippets}, NULL
            FROM tasks_fts WHERE tasks_fts MATCH $query
            UNION ALL
            SELECT t.rowid, bm25(attachments_fts), NULL, NULL, snippet(attachments_fts, 2, '<mark>', '</mark>', '...', 64)
            FROM attachments_fts
            JOIN attachment_text x ON x.rowid = attachments_fts.rowid
            JOIN tasks t ON t.id = x.task_id
            WHERE attachments_fts MATCH $query
                AND EXISTS (SELECT 1 FROM json_each(t.record, '$.attachments') j WHERE json_extract(j.value, '$.content_key') = x.content_key)
        )
        SELECT t.id, t.title, t.description, t.status, MIN(h.score) AS score,
            MAX(h.title_snippet), MAX(h.description_snippet), MAX(h.attachment_snippet)
        FROM hits h JOIN tasks t ON t.rowid = h.rid
        WHERE 1 = 1
        """;

    public SearchPage Search(string query, int limit, int offset, IReadOnlyList<string>? statusFilter, bool includeDeleted, bool includeAttachments = false)
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

        var sql = new StringBuilder(includeAttachments ? WithAttachments : TitlesAndDescriptions);
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

        sql.Append(includeAttachments ? " GROUP BY t.rowid" : string.Empty);
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
                    r.IsDBNull(6) ? string.Empty : r.GetString(6),
                    includeAttachments && !r.IsDBNull(7) ? r.GetString(7) : null),
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
