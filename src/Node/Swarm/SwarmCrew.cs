namespace TaskGraph.Node.Swarm;

/// <summary>What all agents of one run share: the in-flight gate, the metrics and the container closer.</summary>
internal sealed class SwarmCrew(SemaphoreSlim gate, SwarmMetrics metrics, ContainerCloser closer)
{
    /// <summary>Bounds the store calls in flight across the swarm.</summary>
    public SemaphoreSlim Gate { get; } = gate;

    /// <summary>Counters and acknowledged completions.</summary>
    public SwarmMetrics Metrics { get; } = metrics;

    /// <summary>Containers ready to close.</summary>
    public ContainerCloser Closer { get; } = closer;
}
