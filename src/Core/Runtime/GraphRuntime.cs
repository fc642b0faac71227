using Microsoft.Extensions.Logging;
using TaskGraph.Core.Attachments;
using TaskGraph.Core.Configuration;
using TaskGraph.Core.Dependencies;
using TaskGraph.Core.Graph;
using TaskGraph.Core.Leases;
using TaskGraph.Core.Marks;
using TaskGraph.Core.Queries;
using TaskGraph.Core.ReadModels;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Tasks;
using TaskGraph.Core.Workers;
using TaskGraph.Core.Workflows;

namespace TaskGraph.Core.Runtime;

/// <summary>
/// One node's view of one graph: the store, the read model it keeps current, and the rule services over them.
/// The same composition serves the SQLite and the NATS store.
/// </summary>
public sealed class GraphRuntime : IAsyncDisposable
{
    private GraphRuntime(IRecordStore store, ReadModel reads, ConfigHolder config, TimeProvider time, string baseDirectory)
    {
        Store = store;
        Reads = reads;
        Config = config;
        Context = new GraphContext(new GraphRecords(store, time), config, time, new ReadModelWaiter(reads));
        var rules = new RuleServices(Context, baseDirectory);
        Workers = rules.Workers;
        Dependencies = rules.Dependencies;
        Tasks = rules.Tasks;
        Marks = rules.Marks;
        Sweeper = rules.Sweeper;
        Accounting = rules.Accounting;
        Attachments = rules.Attachments;
        MarkFeed = new MarkFeed(Context, Workers, reads);
        ClaimNext = new ClaimNextService(Context, Workers, Tasks, reads);
        TaskQueries = new TaskQueries(Context, reads);
        MarkQueries = new MarkQueries(reads, baseDirectory);
        WorkerQueries = new WorkerQueries(Context, Workers, reads, MarkQueries);
        HistoryQueries = new HistoryQueries(Context, reads);
        SqlQueries = new SqlQueries(reads);
        Events = new EventFeed(store, time);
        Audit = new AuditLog(store);
    }

    /// <summary>The store. Internal: transports reach the graph only through the rule services and queries.</summary>
    internal IRecordStore Store { get; }

    /// <summary>This node's read model.</summary>
    internal ReadModel Reads { get; }

    /// <summary>The live config.</summary>
    public ConfigHolder Config { get; }

    /// <summary>Shared rule context.</summary>
    internal GraphContext Context { get; }

    /// <summary>Worker rules.</summary>
    public WorkerService Workers { get; }

    /// <summary>Task rules.</summary>
    public TaskService Tasks { get; }

    /// <summary>Dependency rules.</summary>
    public DependencyService Dependencies { get; }

    /// <summary>File mark rules.</summary>
    public MarkService Marks { get; }

    /// <summary>The stale-worker sweeper.</summary>
    public StaleWorkerSweeper Sweeper { get; }

    /// <summary>Attachments (<c>attach</c>, <c>attachments</c>, <c>detach</c>).</summary>
    public AttachmentService Attachments { get; }

    /// <summary>Cost and metric accounting (<c>log_metrics</c>, <c>get_metrics</c>).</summary>
    public TaskAccounting Accounting { get; }

    /// <summary>The mark feed of <c>mark_updates</c>: the mark changes each worker has not seen yet.</summary>
    public MarkFeed MarkFeed { get; }

    /// <summary>Claim-next: the best ready task for a worker, decided by the claim rule.</summary>
    public ClaimNextService ClaimNext { get; }

    /// <summary>Task reads: get, list, scan, search.</summary>
    public TaskQueries TaskQueries { get; }

    /// <summary>Worker reads: list_agents.</summary>
    public WorkerQueries WorkerQueries { get; }

    /// <summary>File-mark reads.</summary>
    public MarkQueries MarkQueries { get; }

    /// <summary>History reads.</summary>
    public HistoryQueries HistoryQueries { get; }

    /// <summary>Read-only SQL over the read model and its schema (<c>query</c>, <c>get_schema</c>).</summary>
    public SqlQueries SqlQueries { get; }

    /// <summary>The change feed (wait_for_events), read from the store's log.</summary>
    public EventFeed Events { get; }

    /// <summary>The audit log, read from the store's log.</summary>
    public AuditLog Audit { get; }

    /// <summary>Starts the read model (a full rebuild from the store) and wires the services. The runtime owns the store.</summary>
    public static Task<GraphRuntime> StartAsync(
        IRecordStore store, ConfigHolder config, TimeProvider time, string baseDirectory, ILoggerFactory? loggers, CancellationToken cancellationToken) =>
        StartAsync(store, config, time, baseDirectory, loggers, null, cancellationToken);

    /// <summary>
    /// Starts the read model, from <paramref name="snapshot"/> when it names a snapshot that matches the store (null: no
    /// snapshot, a full rebuild), and wires the services. The runtime owns the store.
    /// </summary>
    public static async Task<GraphRuntime> StartAsync(
        IRecordStore store, ConfigHolder config, TimeProvider time, string baseDirectory, ILoggerFactory? loggers,
        ReadModelSnapshotOptions? snapshot, CancellationToken cancellationToken)
    {
        var reads = await ReadModel.StartAsync(store, time, loggers?.CreateLogger<ReadModel>(), snapshot, cancellationToken).ConfigureAwait(false);
        return new GraphRuntime(store, reads, config, time, baseDirectory);
    }

    /// <summary>The store log position this node's read model has applied.</summary>
    public ulong AppliedPosition => Reads.AppliedPosition;

    /// <summary>How many changes the read model replayed at start (after its snapshot, or all of them on a rebuild).</summary>
    public long ReplayedOnStart => Reads.ReplayedOnStart;

    /// <summary>The node's clock, in Unix milliseconds.</summary>
    public long NowMs => Context.NowMs;

    /// <summary>
    /// Null while the store's authority answers; on an edge node whose hub is unreachable, the last moment it did: reads
    /// then answer from this node's read model, which is at most this old.
    /// </summary>
    public DateTimeOffset? StaleSince => (Store as IStoreLink)?.StaleSince;

    /// <summary>True when this node is an edge site's view of a hub's graph.</summary>
    public bool IsEdge => Store is IStoreLink { IsEdge: true };

    /// <summary>
    /// Waits until the read model has applied everything the store's log held when called (a fresh read). On an edge
    /// node cut off from its hub there is nothing to catch up with: the read answers from the model as it is, and the
    /// caller learns how old it may be from <see cref="StaleSince"/>.
    /// </summary>
    public async ValueTask CatchUpAsync(CancellationToken cancellationToken)
    {
        if (StaleSince is not null)
        {
            return;
        }

        try
        {
            await Reads.CatchUpAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (StoreUnavailableException) when (StaleSince is not null)
        {
            // The link dropped during the barrier (the position read failed, or the watch died with it before the model
            // caught up): answer from the model, as stale as StaleSince says.
        }
    }

    /// <summary>Waits until the read model has applied the store's log up to <paramref name="position"/>.</summary>
    public ValueTask WaitForPositionAsync(ulong position, CancellationToken cancellationToken) => Reads.WaitForPositionAsync(position, cancellationToken);

    /// <summary>The last position of the store's change log (read-only).</summary>
    public ValueTask<ulong> GetLogPositionAsync(CancellationToken cancellationToken) => Store.GetPositionAsync(cancellationToken);

    /// <summary>The store's changes after <paramref name="afterPosition"/>, then live ones, read-only (what resource notifications follow).</summary>
    public IAsyncEnumerable<RecordChange> WatchLogAsync(ulong afterPosition, CancellationToken cancellationToken) => Store.WatchAsync(afterPosition, cancellationToken);

    /// <summary>Query rules for the default workflow.</summary>
    public TaskQueryRules QueryRules(WorkflowDefinition? workflow = null) => TaskQueryRules.From(Config.Current, workflow);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Reads.DisposeAsync().ConfigureAwait(false);
        await Store.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class ReadModelWaiter(ReadModel reads) : IReadYourWrites
    {
        public ValueTask WaitForAsync(string key, ulong revision, CancellationToken cancellationToken = default) =>
            reads.WaitForAsync(key, revision, cancellationToken);
    }
}
