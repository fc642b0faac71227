using TaskGraph.Core.Leases;
using TaskGraph.Core.Workers;

namespace TaskGraph.Core.Queries;

/// <summary>The workers list_agents selected (by id), what its eviction pass did first, and the time it answered at.</summary>
public sealed record AgentList(IReadOnlyList<WorkerView> Workers, EvictionResult? Cleanup, long NowMs);
