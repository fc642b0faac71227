namespace TaskGraph.Node.Hosting;

/// <summary>
/// Refuses requests whose <c>Host</c> is not one this node answers to, or whose <c>Origin</c> is foreign (DNS-rebinding
/// protection, as the MCP transport specification asks): 403 with a JSON error, before authentication.
/// </summary>
public sealed class RebindingGuard
{
    private static readonly string[] LoopbackHosts = ["localhost", "127.0.0.1", "[::1]", "::1"];
    private readonly HashSet<string> _hosts;
    private readonly HashSet<string> _origins;

    /// <summary>A guard for a node serving <paramref name="serving"/>.</summary>
    public RebindingGuard(HttpServing serving)
    {
        ArgumentNullException.ThrowIfNull(serving);
        _hosts = new HashSet<string>(LoopbackHosts.Concat(serving.AllowedHosts), StringComparer.OrdinalIgnoreCase);
        if (!IsWildcard(serving.Url.Host))
        {
            _hosts.Add(serving.Url.Host);
        }

        _origins = new HashSet<string>(serving.AllowedOrigins.Select(o => o.TrimEnd('/')), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Null when the request may go on, else why not.</summary>
    public string? Refusal(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var host = request.Host.Host;
        if (string.IsNullOrEmpty(host) || !_hosts.Contains(host))
        {
            return $"Host '{request.Host.Value}' is not a name this node answers to (add it to server.http.allowed_hosts)";
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0 || _origins.Contains(origin.TrimEnd('/')))
        {
            return null;
        }

        // The node's own origin (same host, any of its names) is fine; anything else is a page on another site.
        return Uri.TryCreate(origin, UriKind.Absolute, out var o) && _hosts.Contains(o.Host) && o.Port == (request.Host.Port ?? o.Port)
            ? null
            : $"Origin '{origin}' is not allowed (add it to server.http.allowed_origins)";
    }

    private static bool IsWildcard(string host) => host is "0.0.0.0" or "[::]" or "::" or "*" or "+";
}
