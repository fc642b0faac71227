namespace TaskGraph.Node.Configuration;

/// <summary>How the node connects to NATS (<c>server.nats</c>); secrets already resolved from their references.</summary>
public sealed record NatsSettings
{
    /// <summary>Server URL(s), comma-separated.</summary>
    public required string Url { get; init; }

    /// <summary>Bucket and log stream replicas (1, or 3 on a cluster).</summary>
    public int Replicas { get; init; } = 1;

    /// <summary>Token authentication.</summary>
    public string? Token { get; init; }

    /// <summary>User for user/password authentication.</summary>
    public string? User { get; init; }

    /// <summary>Password for user/password authentication.</summary>
    public string? Password { get; init; }

    /// <summary>NKey seed.</summary>
    public string? NKeySeed { get; init; }

    /// <summary>Credentials (JWT + seed) file.</summary>
    public string? CredsFile { get; init; }

    /// <summary>CA certificate for TLS.</summary>
    public string? TlsCaFile { get; init; }

    /// <summary>Client certificate for mutual TLS.</summary>
    public string? TlsCertFile { get; init; }

    /// <summary>Client key for mutual TLS.</summary>
    public string? TlsKeyFile { get; init; }

    /// <summary>Request timeout in milliseconds.</summary>
    public int RequestTimeoutMs { get; init; } = 2000;
}
