using TaskGraph.Node.Configuration;

namespace TaskGraph.Node.Hosting;

/// <summary>
/// Hot reload: watches the project and user config directories (config.yaml, workflow-*.yaml, overlay-*.yaml and the
/// <c>--config</c> file) and, a moment after an edit settles, loads the whole config again with the options the node
/// started with. A valid config is swapped in at once (rules, tools and profiles read it per call); an invalid one is
/// refused with one logged line and the running config stays. What a reload cannot change (the store, the graphs, the
/// HTTP listener, NATS connection settings) keeps its start value, with a line saying a restart applies it.
/// </summary>
internal sealed partial class ConfigReloadService(NodeConfig config, ILogger<ConfigReloadService> logger) : BackgroundService
{
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(300);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = config.Loaded;
        if (started.Options is not { } options)
        {
            return;
        }

        var directories = started.WatchedDirectories.Concat(options.Cli.ConfigFile is { } file ? [Path.GetDirectoryName(Path.GetFullPath(file))!] : [])
            .Where(Directory.Exists).Distinct(StringComparer.Ordinal).ToList();
        if (directories.Count == 0)
        {
            return;
        }

        var changed = new SemaphoreSlim(0);
        var watchers = directories.Select(d =>
        {
            var watcher = new FileSystemWatcher(d, "*.yaml") { NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size };
            watcher.Changed += (_, _) => changed.Release();
            watcher.Created += (_, _) => changed.Release();
            watcher.Deleted += (_, _) => changed.Release();
            watcher.Renamed += (_, _) => changed.Release();
            watcher.EnableRaisingEvents = true;
            return watcher;
        }).ToList();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await changed.WaitAsync(stoppingToken);

                // Let the edit settle (editors write in several steps), then take every event it raised.
                await Task.Delay(Settle, stoppingToken);
                while (changed.CurrentCount > 0)
                {
                    await changed.WaitAsync(stoppingToken);
                }

                Reload(options);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            foreach (var watcher in watchers)
            {
                watcher.Dispose();
            }

            changed.Dispose();
        }
    }

    private void Reload(ConfigLoadOptions options)
    {
        LoadedConfig next;
        try
        {
            next = ConfigLoader.Load(options);
        }
        catch (ConfigException ex)
        {
            LogRefused(logger, ex.Message);
            return;
        }

        var running = config.Loaded;
        var server = running.Config.Server;
        var fixedChanged = next.Config.Server.Store != server.Store || next.Config.Server.DbPath != server.DbPath
            || next.Config.Server.Graph != server.Graph || next.NatsUrl != running.NatsUrl
            || !next.ServedGraphs.SequenceEqual(running.ServedGraphs) || next.Http.Url != running.Http.Url;
        if (fixedChanged)
        {
            LogNeedsRestart(logger);
        }

        config.Replace(next with
        {
            Config = next.Config with
            {
                Server = next.Config.Server with { Store = server.Store, DbPath = server.DbPath, Graph = server.Graph },
            },
            NatsUrl = running.NatsUrl,
            Nats = running.Nats,
            Graphs = running.Graphs,
            Http = running.Http,
            Jwt = running.Jwt,
            CacheDir = running.CacheDir,
            ReadModelSnapshots = running.ReadModelSnapshots,
        });
        LogReloaded(logger, next.Config.Workflows.Count, next.Config.Server.Tools);
    }

    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "config reloaded ({Workflows} workflows, tool profile {Tools})")]
    private static partial void LogReloaded(ILogger logger, int workflows, string tools);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "config edit refused, the running config stays: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "config edit changes the store, graphs, HTTP or NATS settings: those apply at the next start")]
    private static partial void LogNeedsRestart(ILogger logger);
}
