namespace TaskGraph.Core.ReadModels;

/// <summary>A column: declared type (upper case, empty when none), whether it may be null, whether it is part of the primary key, its default.</summary>
public sealed record SchemaColumn(string Name, string Type, bool Nullable, bool PrimaryKey, string? Default);
