namespace TaskGraph.Core.Tasks;

/// <summary>Cost and the eight metric slots summed over <see cref="TaskIds"/> (the tasks found, in the order asked).</summary>
public sealed record MetricsTotal(IReadOnlyList<string> TaskIds, double CostUsd, IReadOnlyList<long> Metrics);
