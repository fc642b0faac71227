using TaskGraph.Core.Marks;
using TaskGraph.Core.Queries;
using TaskGraph.Core.Runtime;
using TaskGraph.Core.Storage;
using TaskGraph.Node.Auth;
using TaskGraph.Node.Resources;

namespace TaskGraph.Node.Hosting;

/// <summary>
/// One graph a node serves: its running rules over its own store, and the per-graph pieces the tools and transports
/// use (the mark feed, resource subscriptions, bearer tokens, the store's status).
/// </summary>
public sealed class ServedGraph
{
    /// <summary>
    /// Wraps a started graph runtime over <paramref name="store"/> (which the runtime owns). Only the hosting that opened
    /// the store passes it: this type keeps it to itself (tokens and status), so tools reach the graph through the rules.
    /// </summary>
    public ServedGraph(string name, GraphRuntime runtime, IRecordStore store, string location)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(store);
        Name = name;
        Runtime = runtime;
        Location = location;
        Status = StoreStatus.Of(store);
        Marks = runtime.MarkFeed;
        Subscriptions = new ResourceSubscriptions();
        Tokens = new TokenStore(store, TimeProvider.System);
        Pending = new PendingEvents(runtime.TaskQueries.Claims());
    }

    /// <summary>The graph's name (<c>--graph</c>).</summary>
    public string Name { get; }

    /// <summary>The rules over the graph's store.</summary>
    public GraphRuntime Runtime { get; }

    /// <summary>Where the store lives, for the log (never a secret).</summary>
    public string Location { get; }

    /// <summary>The store's kind, replicas and warning.</summary>
    public StoreStatus Status { get; }

    /// <summary>The mark feed of <c>mark_updates</c>.</summary>
    public MarkFeed Marks { get; }

    /// <summary>Who is subscribed to which of the graph's resources on this node.</summary>
    public ResourceSubscriptions Subscriptions { get; }

    /// <summary>The unseen events per worker (<c>pending_events</c>), fed by the resource notifier's log watch.</summary>
    public PendingEvents Pending { get; }

    /// <summary>The bearer tokens kept in the graph's store.</summary>
    public TokenStore Tokens { get; }
}
