namespace TaskGraph.Core.Queries;

/// <summary>The list_agents filters as asked.</summary>
public sealed record AgentListRequest
{
    /// <summary>Only workers having all these tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Only the worker holding a mark on this file.</summary>
    public string? File { get; init; }

    /// <summary>Only owners of this task (and, with <see cref="Depth"/>, of tasks within that many hops).</summary>
    public string? Task { get; init; }

    /// <summary>Hops over dependencies in either direction, -3..3 (the sign is accepted for compatibility; both directions are followed).</summary>
    public int Depth { get; init; }

    /// <summary>Evict workers silent longer than this many seconds first (null: the server's stale timeout; 0: no eviction).</summary>
    public int? StaleTimeoutSeconds { get; init; }
}
