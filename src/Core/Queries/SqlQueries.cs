using TaskGraph.Core.Errors;
using TaskGraph.Core.ReadModels;

namespace TaskGraph.Core.Queries;

/// <summary>
/// <c>query</c> and <c>get_schema</c>: one read-only SQL statement over this node's read model, and the model's tables.
/// Read-only is enforced by SQLite (an authorizer, <c>sqlite3_stmt_readonly</c>, <c>PRAGMA query_only</c>), not by
/// matching keywords (ADR 0012). The model is a projection of the store: nothing written here could reach the store anyway.
/// </summary>
public sealed class SqlQueries
{
    /// <summary>Rows answered when the caller names no limit.</summary>
    public const int DefaultLimit = 100;

    /// <summary>The most rows one query answers.</summary>
    public const int MaxLimit = 1000;

    /// <summary>The longest SQL text accepted.</summary>
    public const int MaxSqlLength = 100_000;

    /// <summary>How long one query may run before it is stopped (it holds the read model meanwhile).</summary>
    public static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(2);

    private readonly ReadModel _reads;

    internal SqlQueries(ReadModel reads) => _reads = reads;

    /// <summary>Runs the statement off the caller's thread; a write, a second statement or a query past the time limit is INVALID_FIELD_VALUE.</summary>
    public async Task<SqlQueryResult> RunAsync(SqlQueryRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.Sql))
        {
            throw TaskGraphException.Missing("sql");
        }

        if (request.Sql.Length > MaxSqlLength)
        {
            throw TaskGraphException.Invalid("sql", $"sql is too long ({request.Sql.Length} characters, at most {MaxSqlLength})");
        }

        var limit = Math.Clamp(request.Limit, 1, MaxLimit);
        // The statement runs synchronously under the read model's gate for up to the time limit: not on the caller's thread.
        return await Task.Run(() => _reads.Query(request.Sql, request.Parameters, limit, TimeLimit, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The read model's tables and views (SQLite's own and FTS5's shadow tables left out).</summary>
    public SchemaDescription Schema() => _reads.DescribeSchema();
}
