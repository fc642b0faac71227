namespace TaskGraph.Core.Graph;

/// <summary>A decoded record and the revision a compare-and-swap must name to replace it.</summary>
public readonly record struct Versioned<T>(T Value, ulong Revision);
