namespace TaskGraph.Core.Storage;

/// <summary>
/// An edge node's store cannot reach the hub that holds the graph, and refused the operation before sending anything:
/// unlike other <see cref="StoreUnavailableException"/>s, nothing can have landed, and retrying at once only waits.
/// </summary>
public sealed class HubUnreachableException(string message, DateTimeOffset staleSince, Exception? inner = null) : StoreUnavailableException(message, inner)
{
    /// <summary>The last moment the node heard from the hub: what it reads is at most this old.</summary>
    public DateTimeOffset StaleSince { get; } = staleSince;
}
