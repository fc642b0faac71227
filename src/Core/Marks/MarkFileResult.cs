namespace TaskGraph.Core.Marks;

/// <summary>What mark_file marked, which locks it took, and the files another agent already marks.</summary>
public sealed record MarkFileResult(IReadOnlyList<string> Marked, IReadOnlyList<string> LocksAcquired, IReadOnlyList<MarkWarning> Warnings);
