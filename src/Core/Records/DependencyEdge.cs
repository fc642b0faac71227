namespace TaskGraph.Core.Records;

/// <summary>A typed edge: for start-blocking types <c>From</c> blocks <c>To</c>; for <c>contains</c> <c>From</c> is the parent.</summary>
public sealed record DependencyEdge(string From, string To, string Type);
