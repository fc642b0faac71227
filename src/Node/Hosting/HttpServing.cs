using System.Net;

namespace TaskGraph.Node.Hosting;

/// <summary>How a node serves Streamable HTTP: where it listens, whether tokens are required, TLS, and which hosts and
/// origins a request may name (DNS-rebinding protection).</summary>
public sealed record HttpServing
{
    /// <summary>The listen URL (<c>http://127.0.0.1:31995</c>; port 0 picks a free one).</summary>
    public required Uri Url { get; init; }

    /// <summary>False only with <c>--auth off</c> (loopback only).</summary>
    public bool RequireToken { get; init; } = true;

    /// <summary>PEM certificate file for https.</summary>
    public string? TlsCertFile { get; init; }

    /// <summary>PEM private key file for https.</summary>
    public string? TlsKeyFile { get; init; }

    /// <summary>Host names (without port) requests may address besides the loopback names and the listen host.</summary>
    public IReadOnlyList<string> AllowedHosts { get; init; } = [];

    /// <summary>Origins (<c>scheme://host[:port]</c>) a browser request may come from, besides the node's own.</summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    /// <summary>True when the listen address is a loopback address or <c>localhost</c>.</summary>
    public bool IsLoopback => Url.IsLoopback || (IPAddress.TryParse(Url.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}
