using TaskGraph.Core.Records;

namespace TaskGraph.Core.ReadModels;

/// <summary>A task and its neighbourhood: predecessors, successors, parent chain and descendants (nearest first).</summary>
public sealed record ScanResult(
    TaskRecord Root,
    IReadOnlyList<TaskRecord> Before,
    IReadOnlyList<TaskRecord> After,
    IReadOnlyList<TaskRecord> Above,
    IReadOnlyList<TaskRecord> Below);
