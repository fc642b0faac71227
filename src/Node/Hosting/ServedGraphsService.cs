using TaskGraph.Core.Runtime;
using TaskGraph.Node.Configuration;
using TaskGraph.Node.Resources;

namespace TaskGraph.Node.Hosting;

/// <summary>
/// The graphs' runtimes as part of the host: when the host starts, opens each served graph's store and starts its rules
/// and read model (the cold start) with the host's logging, then the graph's lease sweeper and resource notifier; when
/// it stops, stops those and closes what it opened. Registered before the MCP transports, so no transport answers a
/// message before every graph is caught up. Graphs handed in already running (tests) are served, not opened or closed.
/// </summary>
internal sealed class ServedGraphsService(
    ServedGraphs graphs, NodeConfig config, TimeProvider time, ILoggerFactory loggers, IServiceProvider services) : IHostedService
{
    /// <summary>After a cold start that replayed this many changes, the heap is compacted once.</summary>
    private const long CompactAfterReplaying = 100_000;

    private readonly List<IHostedService> _loops = [];

    private readonly ILogger _logger = loggers.CreateLogger("TaskGraph.Node");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!graphs.IsOpen)
        {
            graphs.Open(await OpenAsync(cancellationToken));
            if (graphs.All.Sum(g => g.Runtime.ReplayedOnStart) >= CompactAfterReplaying)
            {
                // A rebuild decodes every change of the log: hand that garbage back to the OS once, before serving, so
                // the node's resident memory is what it holds, not what its cold start went through.
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            }
        }

        foreach (var graph in graphs.All)
        {
            _loops.Add(ActivatorUtilities.CreateInstance<LeaseSweepService>(services, graph.Runtime));
            _loops.Add(ActivatorUtilities.CreateInstance<ResourceNotifier>(services, graph.Runtime, graph.Subscriptions, graph.Pending));
        }

        foreach (var loop in _loops)
        {
            await loop.StartAsync(cancellationToken);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        for (var i = _loops.Count - 1; i >= 0; i--)
        {
            await _loops[i].StopAsync(cancellationToken);
            (_loops[i] as IDisposable)?.Dispose();
        }

        _loops.Clear();
        if (graphs.IsOpen && graphs.IsOwned)
        {
            foreach (var graph in graphs.All)
            {
                await graph.Runtime.DisposeAsync();
            }
        }
    }

    /// <summary>Opens every served graph in order; on a failure closes the ones already open and rethrows.</summary>
    private async Task<IReadOnlyList<ServedGraph>> OpenAsync(CancellationToken cancellationToken)
    {
        var loaded = config.Loaded;
        var opened = new List<ServedGraph>();
        try
        {
            foreach (var name in graphs.Names)
            {
                var (store, location) = await StoreFactory.OpenAsync(loaded, name, time, loggers, cancellationToken);
                GraphRuntime runtime;
                try
                {
                    runtime = await GraphRuntime.StartAsync(
                        store, config.Rules, time, Environment.CurrentDirectory, loggers, StoreFactory.SnapshotOptions(loaded, name, store), cancellationToken);
                }
                catch
                {
                    await store.DisposeAsync();
                    throw;
                }

                var graph = new ServedGraph(name, runtime, store, location);
                opened.Add(graph);
                NodeLog.StoreOpened(_logger, loaded.Config.Server.Store, location, runtime.AppliedPosition);
                if (graph.Status.Warning is { } storeWarning)
                {
                    NodeLog.StoreWarning(_logger, storeWarning);
                }
            }

            return opened;
        }
        catch
        {
            foreach (var graph in opened)
            {
                await graph.Runtime.DisposeAsync();
            }

            throw;
        }
    }
}
