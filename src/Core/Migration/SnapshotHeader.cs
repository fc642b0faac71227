namespace TaskGraph.Core.Migration;

/// <summary>What the first line of a snapshot says about it.</summary>
/// <param name="Version">The format version (<see cref="SnapshotFormat.Version"/>).</param>
/// <param name="Graph">The graph it was exported from.</param>
/// <param name="ExportedAt">When, as RFC 3339.</param>
/// <param name="History">True when it carries every change in commit order, false for the current records only.</param>
/// <param name="Workers">True when worker records are in it.</param>
public sealed record SnapshotHeader(int Version, string Graph, string ExportedAt, bool History, bool Workers);
