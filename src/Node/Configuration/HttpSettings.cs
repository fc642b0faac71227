namespace TaskGraph.Node.Configuration;

/// <summary>The <c>server.http</c> section: the listen URL and TLS files, and the hosts and origins requests may name.</summary>
public sealed record HttpSettings
{
    /// <summary><c>server.http.url</c>: serve HTTP here when <c>--http</c> is not given (null: stdio only).</summary>
    public Uri? Url { get; init; }

    /// <summary><c>server.http.tls.cert</c>: PEM certificate.</summary>
    public string? TlsCertFile { get; init; }

    /// <summary><c>server.http.tls.key</c>: PEM private key.</summary>
    public string? TlsKeyFile { get; init; }

    /// <summary><c>server.http.allowed_hosts</c>: host names requests may address besides loopback and the listen host.</summary>
    public IReadOnlyList<string> AllowedHosts { get; init; } = [];

    /// <summary><c>server.http.allowed_origins</c>: browser origins allowed besides the node's own.</summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];
}
