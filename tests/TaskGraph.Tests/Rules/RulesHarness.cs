using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using TaskGraph.Bus.Connection;
using TaskGraph.Bus.KeyValue;
using TaskGraph.Core.Configuration;
using TaskGraph.Core.Dependencies;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Graph;
using TaskGraph.Core.Leases;
using TaskGraph.Core.Marks;
using TaskGraph.Core.Records;
using TaskGraph.Core.Runtime;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Storage.Sqlite;
using TaskGraph.Core.Tasks;
using TaskGraph.Core.Workers;

namespace TaskGraph.Tests.Rules;

/// <summary>
/// One "node" of the rules engine: the services over its own store instance, a clock and a live config. A harness made with
/// <c>CreateAsync</c> (SQLite file) or <see cref="CreateOnNatsAsync"/> (one NATS graph) owns a temp directory;
/// <c>OpenNodeAsync</c> opens another node on the same data: another store instance on the same file, or another
/// NATS connection (to the next server of a cluster) on the same graph.
/// </summary>
public sealed class RulesHarness : IAsyncDisposable
{
    /// <summary>The timeout every test call runs under.</summary>
    public static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Where the fake clock starts (2025-01-01T00:00:00Z).</summary>
    public static readonly DateTimeOffset Epoch = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly string? _ownedDirectory;
    private readonly Origin _origin;

    private RulesHarness(IRecordStore store, TimeProvider time, ConfigHolder config, Origin origin, string path, string? ownedDirectory)
    {
        _ownedDirectory = ownedDirectory;
        _origin = origin;
        Store = store;
        Time = time;
        Config = config;
        Path = path;
        Context = new GraphContext(new GraphRecords(store, time), config, time, new ImmediateReads());
        MarkDirectory = System.IO.Path.GetDirectoryName(path)!;
        var rules = new RuleServices(Context, MarkDirectory);
        Workers = rules.Workers;
        Dependencies = rules.Dependencies;
        Tasks = rules.Tasks;
        Marks = rules.Marks;
        Sweeper = rules.Sweeper;
    }

    /// <summary>The store file (for NATS, a file name in the harness's temp directory that nothing opens).</summary>
    public string Path { get; }

    /// <summary>Which store the nodes share ("sqlite", "nats", "nats-r3").</summary>
    public string Backend => _origin.Backend;

    /// <summary>The base directory relative mark paths resolve against.</summary>
    public string MarkDirectory { get; }

    /// <summary>This node's store instance.</summary>
    public IRecordStore Store { get; }

    /// <summary>This node's clock.</summary>
    public TimeProvider Time { get; }

    /// <summary>The fake clock (throws when the node runs on the system clock).</summary>
    public FakeTimeProvider Clock => Time as FakeTimeProvider ?? throw new InvalidOperationException("This node runs on the system clock.");

    /// <summary>The live config.</summary>
    public ConfigHolder Config { get; }

    /// <summary>The rules context.</summary>
    public GraphContext Context { get; }

    /// <summary>Workers.</summary>
    public WorkerService Workers { get; }

    /// <summary>Tasks.</summary>
    public TaskService Tasks { get; }

    /// <summary>Dependencies.</summary>
    public DependencyService Dependencies { get; }

    /// <summary>File marks.</summary>
    public MarkService Marks { get; }

    /// <summary>The stale worker sweeper.</summary>
    public StaleWorkerSweeper Sweeper { get; }

    /// <summary>A token that cancels after <see cref="TestTimeout"/>.</summary>
    public static CancellationTokenSource Timeout() => new(TestTimeout);

    /// <summary>A fresh store in its own temp directory, on a fake clock unless <paramref name="time"/> is given.</summary>
    public static async Task<RulesHarness> CreateAsync(TaskGraphConfig? config = null, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "taskgraph-rules", Guid.NewGuid().ToString("N"));
        var path = System.IO.Path.Combine(directory, "tasks.db");
        time ??= new FakeTimeProvider(Epoch);
        var origin = new Origin("sqlite", async (_, ct) => await SqliteRecordStore.OpenAsync(new SqliteStoreOptions { Path = path }, time, ct));
        var store = await origin.OpenAsync(cancellationToken);
        return new RulesHarness(store, time, new ConfigHolder(config ?? new TaskGraphConfig()), origin, path, directory);
    }

    /// <summary>
    /// A fresh graph on NATS, on a fake clock unless <paramref name="time"/> is given. Node <c>i</c> connects to
    /// <paramref name="urlOfNode"/>(i) (a cluster spreads its nodes over its servers); <paramref name="options"/> may adjust
    /// the store options (timeouts, fence lifetime).
    /// </summary>
    public static async Task<RulesHarness> CreateOnNatsAsync(
        Func<int, string> urlOfNode,
        int replicas,
        TaskGraphConfig? config = null,
        TimeProvider? time = null,
        Func<NatsStoreOptions, NatsStoreOptions>? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(urlOfNode);
        var directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "taskgraph-rules", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var graph = "r" + Guid.NewGuid().ToString("N")[..16];
        time ??= new FakeTimeProvider(Epoch);
        var origin = new Origin(replicas > 1 ? "nats-r3" : "nats", async (node, ct) =>
        {
            var settings = new NatsStoreOptions { Url = urlOfNode(node), Graph = graph, Replicas = replicas, Name = $"rules-node{node}" };
            return await NatsRecordStore.OpenAsync(options?.Invoke(settings) ?? settings, null, ct);
        });
        var store = await origin.OpenAsync(cancellationToken);
        return new RulesHarness(store, time, new ConfigHolder(config ?? new TaskGraphConfig()), origin, System.IO.Path.Combine(directory, "tasks.db"), directory);
    }

    /// <summary>Another node on this harness's data: its own store instance, same clock, its own copy of the config.</summary>
    public async Task<RulesHarness> OpenNodeAsync(CancellationToken cancellationToken = default) =>
        await OpenNodeAsync(null, cancellationToken);

    /// <summary>Another node whose store instance is wrapped by <paramref name="wrap"/> (null = as opened).</summary>
    public async Task<RulesHarness> OpenNodeAsync(Func<IRecordStore, IRecordStore>? wrap, CancellationToken cancellationToken)
    {
        var store = await OpenStoreAsync(cancellationToken);
        return new RulesHarness(wrap?.Invoke(store) ?? store, Time, new ConfigHolder(Config.Current), _origin, Path, null);
    }

    /// <summary>A new store instance on this harness's data (for a <c>GraphRuntime</c>, say); the caller disposes it.</summary>
    public Task<IRecordStore> OpenStoreAsync(CancellationToken cancellationToken) => _origin.OpenAsync(cancellationToken);

    /// <summary><paramref name="count"/> nodes on this file: this harness first, then new ones.</summary>
    public async Task<RulesHarness[]> OpenNodesAsync(int count, CancellationToken cancellationToken = default)
    {
        var nodes = new RulesHarness[count];
        nodes[0] = this;
        for (var i = 1; i < count; i++)
        {
            nodes[i] = await OpenNodeAsync(cancellationToken);
        }

        return nodes;
    }

    /// <summary>Disposes every node of <see cref="OpenNodesAsync"/> but the first (its owner disposes that one).</summary>
    public static async Task DisposeNodesAsync(IReadOnlyList<RulesHarness> nodes)
    {
        foreach (var node in nodes.Skip(1))
        {
            await node.DisposeAsync();
        }
    }

    /// <summary>Runs <paramref name="racers"/> calls released together; each returns null on success or its error code.</summary>
    public static async Task<string?[]> RaceAsync(int racers, Func<int, Task> call, CancellationToken cancellationToken)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = Enumerable.Range(0, racers).Select(i => Task.Run(
            async () =>
            {
                await gate.Task.WaitAsync(cancellationToken);
                try
                {
                    await call(i);
                    return (string?)null;
                }
                catch (TaskGraphException ex)
                {
                    return ex.Code;
                }
            },
            cancellationToken)).ToList();
        gate.SetResult();
        return await Task.WhenAll(runs).WaitAsync(cancellationToken);
    }

    /// <summary>Changes the config in force.</summary>
    public void Configure(Func<TaskGraphConfig, TaskGraphConfig> change) => Config.Current = change(Config.Current);

    /// <summary>Moves the fake clock forward.</summary>
    public void Advance(TimeSpan by) => Clock.Advance(by);

    /// <summary>Connects a worker with the given id and tags.</summary>
    public async Task<WorkerRecord> ConnectAsync(string id, CancellationToken cancellationToken, params string[] tags) =>
        (await Workers.ConnectAsync(new ConnectRequest { WorkerId = id, Tags = tags }, cancellationToken)).Worker;

    /// <summary>Creates a task with the given id (title = id).</summary>
    public async Task<TaskRecord> CreateAsync(string id, CancellationToken cancellationToken, string? parent = null) =>
        (await Tasks.CreateAsync(new CreateTaskRequest { Id = id, Title = id, Parent = parent }, cancellationToken)).Task;

    /// <summary>Links one pair and asserts it was created.</summary>
    public async Task LinkAsync(string from, string to, CancellationToken cancellationToken, string type = "blocks")
    {
        var result = await Dependencies.LinkAsync([from], [to], type, null, cancellationToken);
        Assert.Empty(result.Errors);
        Assert.Single(result.Created);
    }

    /// <summary>Moves a task to a status as the given worker.</summary>
    public Task<UpdateTaskResult> SetStatusAsync(string worker, string task, string status, CancellationToken cancellationToken, bool force = false) =>
        Tasks.UpdateAsync(new UpdateTaskRequest { WorkerId = worker, TaskId = task, Status = status, Force = force }, cancellationToken);

    /// <summary>Reads a task straight from the store.</summary>
    public Task<TaskRecord> TaskAsync(string id, CancellationToken cancellationToken) => Tasks.GetAsync(id, cancellationToken);

    /// <summary>Reads a worker straight from the store (null when absent).</summary>
    public async Task<WorkerRecord?> WorkerAsync(string id, CancellationToken cancellationToken) =>
        (await Context.Records.GetWorkerAsync(id, cancellationToken))?.Value;

    /// <summary>The edges as stored.</summary>
    public async Task<IReadOnlyList<DependencyEdge>> EdgesAsync(CancellationToken cancellationToken) =>
        (await Context.Records.GetDependenciesAsync(cancellationToken)).Value.Edges;

    /// <summary>The store's change-log position: unchanged means nothing was written.</summary>
    public async Task<ulong> PositionAsync(CancellationToken cancellationToken) => await Store.GetPositionAsync(cancellationToken);

    /// <summary>Runs a call that must fail with <paramref name="code"/> and returns the error.</summary>
    public static async Task<TaskGraphException> FailsAsync(string code, Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<TaskGraphException>(call);
        Assert.True(ex.Code == code, $"expected {code}, got {ex.Code}: {ex.Message}");
        return ex;
    }

    /// <summary>Runs a call that must fail with <paramref name="code"/> and must not write anything to the store.</summary>
    public async Task<TaskGraphException> FailsCleanlyAsync(string code, Func<Task> call, CancellationToken cancellationToken)
    {
        var before = await PositionAsync(cancellationToken);
        var ex = await FailsAsync(code, call);
        Assert.Equal(before, await PositionAsync(cancellationToken));
        return ex;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        if (_ownedDirectory is not null)
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_ownedDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Another node of this file may still be closing; the temp directory is only litter.
            }
        }
    }

    /// <summary>How to open one more store instance on the same data; counts the nodes so a cluster spreads them.</summary>
    private sealed class Origin(string backend, Func<int, CancellationToken, Task<IRecordStore>> open)
    {
        private int _nodes = -1;

        public string Backend { get; } = backend;

        public Task<IRecordStore> OpenAsync(CancellationToken cancellationToken) => open(Interlocked.Increment(ref _nodes), cancellationToken);
    }

    /// <summary>The services decide on store reads, so their own writes are visible at once.</summary>
    private sealed class ImmediateReads : IReadYourWrites
    {
        public ValueTask WaitForAsync(string key, ulong revision, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}
