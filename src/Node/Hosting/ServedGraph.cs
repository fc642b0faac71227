using TaskGraph.Core.Marks;
using TaskGraph.Core.Queries;
using TaskGraph.Core.Runtime;
using TaskGraph.Node.Auth;
using TaskGraph.Node.Resources;

namespace TaskGraph.Node.Hosting;

/// <summary>
/// One graph a node serves: its running rules over its own store, and the per-graph pieces the tools and transports
/// use (the mark feed, resource subscriptions, bearer tokens, the store's status).
/// </summary>
public sealed class ServedGraph
{
    /// <summary>Wraps a started graph runtime.</summary>
    public ServedGraph(string name, GraphRuntime runtime, string location)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        Name = name;
        Runtime = runtime;
        Location = location;
        Status = StoreStatus.Of(runtime.Store);
        Marks = new MarkFeed(runtime.Context, runtime.Workers, runtime.Reads);
        Subscriptions = new ResourceSubscriptions();
        Tokens = new TokenStore(runtime.Store, TimeProvider.System);
        var reads = runtime.Reads;
        Pending = new PendingEvents(reads.Workers().SelectMany(w => reads.TasksOwnedBy(w.Id).Select(t => (t.Id, w.Id))));
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
