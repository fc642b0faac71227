namespace TaskGraph.Core.ReadModels;

/// <summary>One table or view: its kind (<c>table</c>, <c>view</c>, <c>virtual</c>), columns, indexes, foreign keys and CREATE statement.</summary>
public sealed record SchemaTable(
    string Name,
    string Type,
    IReadOnlyList<SchemaColumn> Columns,
    IReadOnlyList<SchemaIndex> Indexes,
    IReadOnlyList<SchemaForeignKey> ForeignKeys,
    string? Sql);
