namespace TaskGraph.Core.ReadModels;

/// <summary>The read model's tables and views as <c>get_schema</c> shows them, with the SQLite version that serves them.</summary>
public sealed record SchemaDescription(string SqliteVersion, IReadOnlyList<SchemaTable> Tables);
