namespace TaskGraph.Core.ReadModels;

/// <summary>A foreign key: the referencing column, what it references (<c>table.column</c>) and its actions.</summary>
public sealed record SchemaForeignKey(string From, string References, string OnDelete, string OnUpdate);
