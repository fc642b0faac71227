using System.Diagnostics;
using TaskGraph.Bus.KeyValue;
using TaskGraph.Core.ReadModels;
using TaskGraph.Core.Runtime;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Verification;
using TaskGraph.Node.Configuration;
using TaskGraph.Node.Hosting;

namespace TaskGraph.Node.Swarm;

/// <summary>
/// One swarm simulation: opens <see cref="SwarmOptions.Nodes"/> node runtimes over the store the config selects, each
/// composed as <c>serve</c> composes it (its own store connection, <see cref="GraphRuntime"/> with its read model, a lease
/// sweeper), generates the graph, runs the agents until every task is completed, fires the fault hook on the way, and
/// checks the store's whole history.
/// </summary>
public sealed partial class SwarmRunner(LoadedConfig config, SwarmOptions options, ILoggerFactory loggers)
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(5);

    private readonly ILogger _logger = loggers.CreateLogger("TaskGraph.Swarm");

    /// <summary>Runs the simulation and the check. Throws <see cref="InvalidOperationException"/> when the store already holds data.</summary>
    public async Task<SwarmReport> RunAsync(CancellationToken cancellationToken)
    {
        var runtimes = new List<GraphRuntime>();
        IRecordStore? firstStore = null;
        var sweepers = new List<LeaseSweepService>();
        try
        {
            for (var i = 0; i < options.Nodes; i++)
            {
                var (store, location) = await StoreFactory.OpenAsync(config, TimeProvider.System, loggers, cancellationToken).ConfigureAwait(false);
                if (i == 0 && await store.GetPositionAsync(cancellationToken).ConfigureAwait(false) > 0)
                {
                    await store.DisposeAsync().ConfigureAwait(false);
                    throw new InvalidOperationException($"the store ({location}) already holds data; the swarm needs an empty one (a new --db file, or a new --graph)");
                }

                var runtime = await GraphRuntime.StartAsync(store, new NodeConfig(config).Rules, TimeProvider.System, Environment.CurrentDirectory, loggers, cancellationToken).ConfigureAwait(false);
                runtimes.Add(runtime);
                firstStore ??= store;
                var sweeper = new LeaseSweepService(runtime, TimeProvider.System, loggers.CreateLogger<LeaseSweepService>());
                await sweeper.StartAsync(cancellationToken).ConfigureAwait(false);
                sweepers.Add(sweeper);
                if (i == 0)
                {
                    LogStore(_logger, config.Config.Server.Store, location, options.Nodes);
                }
            }

            return await SimulateAsync(runtimes, firstStore!, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var sweeper in sweepers)
            {
                await sweeper.StopAsync(CancellationToken.None).ConfigureAwait(false);
                sweeper.Dispose();
            }

            foreach (var runtime in runtimes)
            {
                await runtime.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<SwarmReport> SimulateAsync(List<GraphRuntime> runtimes, IRecordStore store, CancellationToken cancellationToken)
    {
        var server = config.Config.Server;
        var workflow = config.Config.DefaultWorkflow;
        var clock = Stopwatch.StartNew();
        var graph = await new SwarmGraphGenerator(runtimes, options, _logger).GenerateAsync(cancellationToken).ConfigureAwait(false);
        var position = await runtimes[0].GetLogPositionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var runtime in runtimes)
        {
            await runtime.WaitForPositionAsync(position, cancellationToken).ConfigureAwait(false);
        }

        var reads = runtimes[0].TaskQueries;
        var total = reads.Page(new TaskListQuery()).Tasks.Count;
        var generateSeconds = clock.Elapsed.TotalSeconds;
        LogGenerated(_logger, total, graph.Edges, graph.IdCollisions, graph.TreeFallbacks, generateSeconds);

        var metrics = new SwarmMetrics();
        var closer = new ContainerCloser(graph.Children, workflow.Settings.InitialState, "completed");
        using var gate = new SemaphoreSlim(options.Concurrency);
        var crew = new SwarmCrew(gate, metrics, closer);
        var fault = options.FaultCommand is { } command ? new FaultHook(command) : null;
        double? faultAt = null;
        var open = workflow.StateNames.Where(s => s != "completed").ToList();

        using var stopClaiming = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        clock.Restart();
        var agents = Enumerable.Range(0, options.Agents)
            .Select(i => Task.Run(() => new SwarmAgent(i, runtimes[i % runtimes.Count], options, crew).RunAsync(stopClaiming.Token, stop.Token), CancellationToken.None))
            .ToList();
        var finished = false;
        var lastProgress = TimeSpan.Zero;
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(Tick, cancellationToken).ConfigureAwait(false);
            closer.Scan(reads);
            var done = metrics.CompletedTasks;
            if (fault is { Started: false } && done * 100.0 >= options.FaultAtPercent!.Value * total)
            {
                faultAt = done * 100.0 / total;
                LogFault(_logger, faultAt.Value, options.FaultCommand!);
                fault.Start();
            }

            if (clock.Elapsed - lastProgress >= ProgressEvery)
            {
                lastProgress = clock.Elapsed;
                LogProgress(_logger, done, total, metrics.Claims, metrics.Silent, metrics.Retries, clock.Elapsed.TotalSeconds);
            }

            if (reads.Page(new TaskListQuery { Statuses = open, Limit = 1 }).Tasks.Count == 0)
            {
                finished = true;
                break;
            }

            if (clock.Elapsed >= options.DurationLimit)
            {
                LogGaveUp(_logger, options.DurationLimit.TotalSeconds, done, total);
                break;
            }
        }

        var runSeconds = clock.Elapsed.TotalSeconds;

        // Agents still silent come back and try their late completions (the check judges what they were told), then stop.
        await stopClaiming.CancelAsync().ConfigureAwait(false);
        stop.CancelAfter(TimeSpan.FromSeconds((server.StaleTimeoutSeconds * 3) + 10));
        await Task.WhenAll(agents).ConfigureAwait(false);
        var faultExit = fault is null ? null : await fault.WaitAsync().ConfigureAwait(false);

        // The sweepers stop before the check; the check reads the store's log from the beginning.
        clock.Restart();
        var checker = new HistoryChecker(new HistoryCheckOptions
        {
            ClaimLimit = server.ClaimLimit,
            StartBlockingTypes = [.. config.Config.Dependencies.Where(d => d.Value.BlocksStart).Select(d => d.Key)],
            VerticalTypes = [.. config.Config.Dependencies.Where(d => d.Value.IsVertical).Select(d => d.Key)],
            BlockingStates = [.. workflow.Settings.BlockingStates],
        });
        var check = await checker.CheckStoreAsync(store, metrics.Acknowledged, cancellationToken).ConfigureAwait(false);
        var checkSeconds = clock.Elapsed.TotalSeconds;

        return new SwarmReport
        {
            Store = server.Store,
            Replicas = (store as NatsRecordStore)?.Replicas,
            Agents = options.Agents,
            Nodes = options.Nodes,
            Tasks = total,
            Edges = graph.Edges,
            Seed = options.Seed,
            StaleTimeoutSeconds = server.StaleTimeoutSeconds,
            ClaimLimit = server.ClaimLimit,
            IdCollisions = graph.IdCollisions,
            GenerateSeconds = generateSeconds,
            RunSeconds = runSeconds,
            CheckSeconds = checkSeconds,
            Finished = finished,
            Completed = metrics.CompletedTasks,
            Throughput = runSeconds > 0 ? metrics.CompletedTasks / runSeconds : 0,
            Claims = metrics.Claims,
            ClaimP50Ms = metrics.ClaimLatencyPercentile(50),
            ClaimP99Ms = metrics.ClaimLatencyPercentile(99),
            ConflictsPerClaim = metrics.Claims == 0 ? 0 : (double)metrics.Conflicts / metrics.Claims,
            NoReady = metrics.NoReady,
            Takeovers = check.Takeovers,
            Silent = metrics.Silent,
            LateRefused = metrics.LateRefused,
            LateAccepted = metrics.LateAccepted,
            Retries = metrics.Retries,
            Reconnects = metrics.Reconnects,
            UnexpectedErrors = metrics.UnexpectedErrors,
            UnexpectedSamples = [.. metrics.UnexpectedSamples],
            FaultFiredAtPercent = faultAt,
            FaultExitCode = faultExit,
            Check = check,
        };
    }

    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "swarm: store {Store} ({Location}), {Nodes} node runtime(s)")]
    private static partial void LogStore(ILogger logger, string store, string location, int nodes);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information,
        Message = "swarm: graph ready: {Tasks} tasks, {Edges} edges ({Collisions} create_tree id collisions, {Fallbacks} trees built task by task) in {Seconds:F1} s")]
    private static partial void LogGenerated(ILogger logger, int tasks, int edges, int collisions, int fallbacks, double seconds);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Information,
        Message = "swarm: {Done}/{Total} completed, {Claims} claims, {Silent} went silent, {Retries} retries, {Seconds:F0} s")]
    private static partial void LogProgress(ILogger logger, int done, int total, long claims, long silent, long retries, double seconds);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Warning, Message = "swarm: fault hook at {Percent:F1}% completed: {Command}")]
    private static partial void LogFault(ILogger logger, double percent, string command);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Warning, Message = "swarm: duration limit of {Seconds} s reached with {Done}/{Total} completed")]
    private static partial void LogGaveUp(ILogger logger, double seconds, int done, int total);
}
