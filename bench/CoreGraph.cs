using System.Diagnostics;
using TaskGraph.Core.Configuration;
using TaskGraph.Core.Graph;
using TaskGraph.Core.ReadModels;
using TaskGraph.Core.Runtime;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Tasks;
using TaskGraph.Core.Workers;

namespace TaskGraph.Bench;

/// <summary>
/// The rules over one store, as the node composes them (<see cref="GraphRuntime"/>), with the claim limit out of the way,
/// plus helpers to connect workers, create tasks, claim and release.
/// </summary>
internal sealed class CoreGraph : IAsyncDisposable
{
    private readonly Func<ValueTask> _dispose;

    private CoreGraph(TaskService tasks, WorkerService workers, Func<ValueTask> dispose)
    {
        Tasks = tasks;
        Workers = workers;
        _dispose = dispose;
    }

    /// <summary>Task rules.</summary>
    public TaskService Tasks { get; }

    /// <summary>Worker rules.</summary>
    public WorkerService Workers { get; }

    /// <summary>The config every scenario runs under: defaults, with a claim limit no scenario reaches.</summary>
    public static ConfigHolder Config() => new(new TaskGraphConfig { Server = new ServerSettings { ClaimLimit = 100_000 } });

    /// <summary>Starts the node's runtime (read model rebuild included) over <paramref name="store"/>, which it then owns.</summary>
    public static async Task<CoreGraph> StartAsync(IRecordStore store, CancellationToken cancellationToken)
    {
        var baseDir = Path.GetTempPath();
        var runtime = await GraphRuntime.StartAsync(store, Config(), TimeProvider.System, baseDir, null, cancellationToken).ConfigureAwait(false);
        return new CoreGraph(runtime.Tasks, runtime.Workers, runtime.DisposeAsync);
    }

    /// <summary>
    /// The same composition as <see cref="GraphRuntime"/>, but with every store round trip and read-your-writes wait counted
    /// and timed into <paramref name="profile"/>.
    /// </summary>
    public static async Task<CoreGraph> StartProfiledAsync(IRecordStore store, StoreProfile profile, CancellationToken cancellationToken)
    {
        var profiled = new ProfilingRecordStore(store, profile);
        var reads = await ReadModel.StartAsync(profiled, TimeProvider.System, null, cancellationToken).ConfigureAwait(false);
        var context = new GraphContext(new GraphRecords(profiled), Config(), TimeProvider.System, new ProfilingWaiter(reads, profile));
        var rules = new RuleServices(context, Path.GetTempPath());
        return new CoreGraph(rules.Tasks, rules.Workers, async () =>
        {
            await reads.DisposeAsync().ConfigureAwait(false);
            await profiled.DisposeAsync().ConfigureAwait(false);
        });
    }

    /// <summary>Worker id number <paramref name="index"/>.</summary>
    public static string WorkerId(int index) => $"bench-worker-{index}";

    /// <summary>Task id number <paramref name="index"/>.</summary>
    public static string TaskId(int index) => $"bench-task-{index}";

    /// <summary>Connects workers 0..count-1.</summary>
    public async Task ConnectWorkersAsync(int count, CancellationToken cancellationToken)
    {
        for (var i = 0; i < count; i++)
        {
            await Workers.ConnectAsync(new ConnectRequest { WorkerId = WorkerId(i) }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Creates pending tasks first..first+count-1.</summary>
    public async Task CreateTasksAsync(int first, int count, CancellationToken cancellationToken)
    {
        for (var i = first; i < first + count; i++)
        {
            await Tasks.CreateAsync(new CreateTaskRequest { Id = TaskId(i), Title = $"bench task {i}" }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Claims a task for a worker.</summary>
    public Task<UpdateTaskResult> ClaimAsync(int worker, int task, CancellationToken cancellationToken) =>
        Tasks.ClaimAsync(WorkerId(worker), TaskId(task), false, cancellationToken);

    /// <summary>Releases a task back to pending.</summary>
    public Task<UpdateTaskResult> ReleaseAsync(int worker, int task, CancellationToken cancellationToken) =>
        Tasks.UpdateAsync(new UpdateTaskRequest { WorkerId = WorkerId(worker), TaskId = TaskId(task), Status = "pending" }, cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _dispose();

    private sealed class ProfilingWaiter(ReadModel reads, StoreProfile profile) : IReadYourWrites
    {
        public async ValueTask WaitForAsync(string key, ulong revision, CancellationToken cancellationToken = default)
        {
            var start = Stopwatch.GetTimestamp();
            await reads.WaitForAsync(key, revision, cancellationToken).ConfigureAwait(false);
            profile.Wait(start);
        }
    }
}
