using System.Collections.Concurrent;
using ModelContextProtocol.Server;

namespace TaskGraph.Node.Resources;

/// <summary>Which session (an <see cref="McpServer"/> instance with a session) subscribed to which resource URIs.</summary>
public sealed class ResourceSubscriptions
{
    private readonly ConcurrentDictionary<McpServer, ConcurrentDictionary<string, byte>> _byServer = new();

    /// <summary>Adds a subscription.</summary>
    public void Add(McpServer server, string uri) => _byServer.GetOrAdd(server, _ => new(StringComparer.Ordinal))[uri] = 0;

    /// <summary>Removes a subscription.</summary>
    public void Remove(McpServer server, string uri)
    {
        if (_byServer.TryGetValue(server, out var uris))
        {
            uris.TryRemove(uri, out _);
        }
    }

    /// <summary>Forgets a session whose notifications can no longer be delivered.</summary>
    public void Forget(McpServer server) => _byServer.TryRemove(server, out _);

    /// <summary>Every (session, uri) pair whose uri <paramref name="affected"/> says changed.</summary>
    public IEnumerable<(McpServer Server, string Uri)> Matching(Func<string, bool> affected) =>
        _byServer.SelectMany(s => s.Value.Keys.Where(affected).Select(uri => (s.Key, uri)));

    /// <summary>How many sessions hold a subscription.</summary>
    public int Sessions => _byServer.Count;
}
