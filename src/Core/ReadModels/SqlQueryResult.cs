namespace TaskGraph.Core.ReadModels;

/// <summary>
/// The answer of a read-only SQL query: the column names (made unique), the rows (each value a <see cref="long"/>,
/// <see cref="double"/>, <see cref="string"/>, <see cref="byte"/> array or null), whether rows were left out, and the row limit applied.
/// </summary>
public sealed record SqlQueryResult(IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<object?>> Rows, bool Truncated, int Limit);
