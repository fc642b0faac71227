namespace TaskGraph.Core.Records;

/// <summary>A connected worker (agent) as stored under <c>worker.&lt;id&gt;</c>. Its heartbeat deadline is its lease.</summary>
public sealed record WorkerRecord
{
    /// <summary>The worker id (1..64 characters).</summary>
    public required string Id { get; init; }

    /// <summary>Capability tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The most tasks this worker may own at once.</summary>
    public int MaxClaims { get; init; }

    /// <summary>Registration time (epoch ms).</summary>
    public long RegisteredAt { get; init; }

    /// <summary>Last heartbeat (epoch ms).</summary>
    public long LastHeartbeat { get; init; }

    /// <summary>The lease: after this instant (epoch ms) the worker counts as dead and its claims may be taken over.</summary>
    public long HeartbeatDeadline { get; init; }

    /// <summary>Status of this worker's last transition (drives transition prompts).</summary>
    public string? LastStatus { get; init; }

    /// <summary>Phase of this worker's last transition.</summary>
    public string? LastPhase { get; init; }

    /// <summary>Named workflow, stored verbatim.</summary>
    public string? Workflow { get; init; }

    /// <summary>Active overlays, in order.</summary>
    public IReadOnlyList<string> Overlays { get; init; } = [];

    /// <summary>Claim reservations: tasks this worker holds or is about to hold. The claim limit is checked against these by CAS.</summary>
    public IReadOnlyList<ClaimReservation> Claims { get; init; } = [];

    /// <summary>True when the worker connected through an edge node: its lease carries <c>server.edge_grace_seconds</c> more.</summary>
    public bool Edge { get; init; }

    /// <summary>mark_updates cursor: the next change-log position this worker has not yet seen.</summary>
    public ulong MarkCursor { get; init; }
}
