namespace TaskGraph.Core.Queries;

/// <summary>A <c>query</c> call: one read-only statement, the values of its <c>?</c> placeholders in order, the most rows to answer.</summary>
public sealed record SqlQueryRequest(string Sql)
{
    /// <summary>Values bound to the placeholders, in order (as text; SQLite compares them to numeric columns as numbers).</summary>
    public IReadOnlyList<string> Parameters { get; init; } = [];

    /// <summary>The most rows to answer (clamped to 1..<see cref="SqlQueries.MaxLimit"/>).</summary>
    public int Limit { get; init; } = SqlQueries.DefaultLimit;
}
