namespace TaskGraph.Core.Storage;

/// <summary>
/// A record store that reaches its authority over a link that may drop: an edge node's store, whose graph lives on a hub.
/// While the link is down, writes are refused with <see cref="HubUnreachableException"/> and reads answer from the
/// node's read model, as of <see cref="StaleSince"/>.
/// </summary>
public interface IStoreLink
{
    /// <summary>True when the store is an edge site's view of a hub's graph (workers connected here get the edge grace).</summary>
    bool IsEdge { get; }

    /// <summary>Null while the hub answers; else the last moment it did (what the node reads is at most this old).</summary>
    DateTimeOffset? StaleSince { get; }
}
