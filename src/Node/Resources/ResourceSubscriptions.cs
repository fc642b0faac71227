using System.Collections.Concurrent;
using ModelContextProtocol.Server;

namespace TaskGraph.Node.Resources;

/// <summary>Which notification target (a session, or a listen stream) subscribed to which resource URIs.</summary>
public sealed class ResourceSubscriptions
{
    private readonly ConcurrentDictionary<NotificationTarget, ConcurrentDictionary<string, byte>> _byTarget = new();
    private readonly ConcurrentDictionary<McpServer, NotificationTarget> _sessions = new();

    /// <summary>Adds a session subscription (<c>resources/subscribe</c>).</summary>
    public void Add(McpServer server, string uri) => Add(_sessions.GetOrAdd(server, NotificationTarget.Session), uri);

    /// <summary>Adds a subscription of any target.</summary>
    public void Add(NotificationTarget target, string uri) => _byTarget.GetOrAdd(target, _ => new(StringComparer.Ordinal))[uri] = 0;

    /// <summary>Removes a session subscription (<c>resources/unsubscribe</c>).</summary>
    public void Remove(McpServer server, string uri)
    {
        if (_sessions.TryGetValue(server, out var target) && _byTarget.TryGetValue(target, out var uris))
        {
            uris.TryRemove(uri, out _);
        }
    }

    /// <summary>Forgets a target whose notifications can no longer be delivered (or whose listen stream ended).</summary>
    public void Forget(NotificationTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        _byTarget.TryRemove(target, out _);
        _sessions.TryRemove(new KeyValuePair<McpServer, NotificationTarget>(target.Server, target));
    }

    /// <summary>Every (target, uri) pair whose uri <paramref name="affected"/> says changed.</summary>
    public IEnumerable<(NotificationTarget Target, string Uri)> Matching(Func<string, bool> affected) =>
        _byTarget.SelectMany(s => s.Value.Keys.Where(affected).Select(uri => (s.Key, uri)));
}
