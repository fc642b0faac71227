namespace TaskGraph.Core.Configuration;

/// <summary>The <c>server</c> config block as far as the rules need it.</summary>
public sealed record ServerSettings
{
    /// <summary>SQLite file of the standalone store.</summary>
    public string DbPath { get; init; } = "task-graph/tasks.db";

    /// <summary>Directory for media files.</summary>
    public string MediaDir { get; init; } = "task-graph/media";

    /// <summary>Directory for custom skills.</summary>
    public string SkillsDir { get; init; } = "task-graph/skills";

    /// <summary>Directory for logs.</summary>
    public string LogDir { get; init; } = "task-graph/logs";

    /// <summary>Most tasks one worker may own at once (enforced).</summary>
    public int ClaimLimit { get; init; } = 5;

    /// <summary>Seconds without a heartbeat after which a worker's lease expires.</summary>
    public int StaleTimeoutSeconds { get; init; } = 900;

    /// <summary>
    /// Extra seconds on the lease of a worker connected through an edge node, so a cut uplink (during which its heartbeats
    /// cannot reach the hub) does not by itself expire it.
    /// </summary>
    public int EdgeGraceSeconds { get; init; } = 300;

    /// <summary>json or markdown.</summary>
    public string DefaultFormat { get; init; } = "json";

    /// <summary>Default page size for list-like tools.</summary>
    public int DefaultPageSize { get; init; } = 50;

    /// <summary>Name of the default workflow, if any.</summary>
    public string? DefaultWorkflow { get; init; }

    /// <summary>sqlite (default) or nats.</summary>
    public string Store { get; init; } = "sqlite";

    /// <summary>The graph name (several independent graphs can share one NATS deployment).</summary>
    public string Graph { get; init; } = "default";

    /// <summary>
    /// fresh (default): a read first catches up with the store, so it reflects every write acknowledged before it began;
    /// local: a read answers from the node's read model as it is.
    /// </summary>
    public string Reads { get; init; } = "fresh";

    /// <summary>The tool profile agents see: full (default, every tool) or core (the ten tools of the work loop).</summary>
    public string Tools { get; init; } = "full";
}
