namespace TaskGraph.Core.ReadModels;

/// <summary>An index declared on a table (primary-key indexes are left out: the columns say it).</summary>
public sealed record SchemaIndex(string Name, bool Unique, IReadOnlyList<string> Columns);
