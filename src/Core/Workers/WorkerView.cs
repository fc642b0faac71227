using TaskGraph.Core.Records;

namespace TaskGraph.Core.Workers;

/// <summary>A worker as list_agents shows it: the record plus its live claim count and latest thought.</summary>
public sealed record WorkerView(WorkerRecord Worker, int ClaimCount, string? CurrentThought, IReadOnlyList<string> OwnedTaskIds);
