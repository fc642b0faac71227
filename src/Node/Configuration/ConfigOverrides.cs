namespace TaskGraph.Node.Configuration;

/// <summary>Values given on the command line; the highest tier. Null means "not given".</summary>
public sealed record ConfigOverrides
{
    /// <summary>--db: SQLite file.</summary>
    public string? DbPath { get; init; }

    /// <summary>--config: a file used as the project tier.</summary>
    public string? ConfigFile { get; init; }

    /// <summary>--nats: NATS server URLs (selects the nats store).</summary>
    public string? NatsUrl { get; init; }

    /// <summary>--graph: graph name (the first <c>--graph</c> when it is repeated).</summary>
    public string? Graph { get; init; }

    /// <summary>The second and later <c>--graph</c>: more graphs a node serves (at <c>/mcp/&lt;graph&gt;</c>).</summary>
    public IReadOnlyList<string> MoreGraphs { get; init; } = [];

    /// <summary>--stale-timeout: seconds.</summary>
    public int? StaleTimeoutSeconds { get; init; }

    /// <summary>--claim-limit: tasks per worker.</summary>
    public int? ClaimLimit { get; init; }

    /// <summary>--nats-domain: the JetStream domain that holds the graph.</summary>
    public string? NatsDomain { get; init; }

    /// <summary>--nats-connect-timeout: seconds to wait for NATS at start.</summary>
    public int? NatsConnectTimeoutSeconds { get; init; }

    /// <summary>--tools: the tool profile (core or full).</summary>
    public string? Tools { get; init; }

    /// <summary>The store kind (<c>server.store</c>: sqlite or nats), for commands that name a store by URL.</summary>
    public string? Store { get; init; }
}
