using System.CommandLine;
using TaskGraph.Bus.Connection;
using TaskGraph.Bus.KeyValue;
using TaskGraph.Core.Configuration;
using TaskGraph.Core.Storage;
using TaskGraph.Node.Configuration;
using TaskGraph.Node.Hosting;

namespace TaskGraph.Node.Cli;

/// <summary>
/// A store a portability command works on, opened as <c>serve</c> opens it (config tiers, NATS auth and TLS, timeouts):
/// from the root options (<c>--db</c>, <c>--nats</c>, <c>--graph</c>), or from a location <c>sqlite:PATH</c> or
/// <c>nats:URL[#graph]</c> layered over the same config. Blobs are the store's own on NATS; standalone, the config's
/// media directory (for <c>sqlite:PATH</c>, <c>media/</c> beside the file, the default layout).
/// </summary>
internal sealed class GraphStore : IAsyncDisposable
{
    private readonly ILoggerFactory _loggers;

    private GraphStore(IRecordStore records, IBlobStore blobs, string name, string graph, LoadedConfig config, ILoggerFactory loggers)
    {
        _loggers = loggers;
        Records = records;
        Blobs = blobs;
        Name = name;
        Graph = graph;
        Config = config;
    }

    /// <summary>The records.</summary>
    public IRecordStore Records { get; }

    /// <summary>Where its blobs are.</summary>
    public IBlobStore Blobs { get; }

    /// <summary>The location as the user would write it (<c>sqlite:PATH</c> or <c>nats:URL#graph</c>, no secrets).</summary>
    public string Name { get; }

    /// <summary>The graph.</summary>
    public string Graph { get; }

    /// <summary>The config it was opened with.</summary>
    public LoadedConfig Config { get; }

    /// <summary>The dependency types of the config (the importer checks edges with them).</summary>
    public IReadOnlyDictionary<string, DependencyTypeDefinition> DependencyTypes => Config.Config.Dependencies;

    /// <summary>Whether <paramref name="text"/> names a store (<c>sqlite:</c> or <c>nats:</c>) rather than a file.</summary>
    public static bool IsLocation(string text) =>
        text.StartsWith("sqlite:", StringComparison.Ordinal) || text.StartsWith("nats:", StringComparison.Ordinal);

    /// <summary>Opens the store the root options name.</summary>
    public static Task<GraphStore> OpenAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        // A file named with --db keeps its blobs beside it, as sqlite:PATH does; without it the config's media_dir.
        var overrides = TaskGraphCli.Overrides(parse);
        return OpenAsync(overrides, overrides.DbPath is { } db ? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(db))!, "media") : null, cancellationToken);
    }

    /// <summary>Opens the store at <paramref name="location"/> (<c>sqlite:PATH</c> or <c>nats:URL[#graph]</c>).</summary>
    public static Task<GraphStore> OpenAsync(ParseResult parse, string location, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(location);
        var root = TaskGraphCli.Overrides(parse);
        if (location.StartsWith("sqlite:", StringComparison.Ordinal))
        {
            var path = location["sqlite:".Length..];
            if (path.Length == 0)
            {
                throw new ConfigException($"'{location}': sqlite: needs a file path, sqlite:./task-graph/tasks.db");
            }

            return OpenAsync(root with { DbPath = path, NatsUrl = null, Store = "sqlite", Graph = StoreFactory.DefaultGraph, MoreGraphs = [] }, Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "media"), cancellationToken);
        }

        if (location.StartsWith("nats:", StringComparison.Ordinal))
        {
            var rest = location["nats:".Length..];
            var hash = rest.IndexOf('#', StringComparison.Ordinal);
            var url = hash < 0 ? rest : rest[..hash];
            var graph = hash < 0 ? root.Graph ?? StoreFactory.DefaultGraph : rest[(hash + 1)..];
            if (url.Length == 0 || graph.Length == 0)
            {
                throw new ConfigException($"'{NatsUrls.Redact(location)}': write nats:URL or nats:URL#graph, e.g. nats:nats://127.0.0.1:4222#default");
            }

            return OpenAsync(root with { NatsUrl = url, Graph = graph, MoreGraphs = [] }, null, cancellationToken);
        }

        throw new ConfigException($"'{location}' is not a store: write sqlite:PATH or nats:URL[#graph]");
    }

    private static async Task<GraphStore> OpenAsync(ConfigOverrides overrides, string? mediaDir, CancellationToken cancellationToken)
    {
        var config = ConfigLoader.Load(ConfigLoadOptions.FromProcess(overrides));
        var graph = config.Config.Server.Graph;
        var loggers = LoggerFactory.Create(l => NodeHost.AddStderrLogging(l, LogLevel.Warning));
        IRecordStore store;
        try
        {
            (store, _) = await StoreFactory.OpenAsync(config, graph, TimeProvider.System, loggers, cancellationToken);
        }
        catch
        {
            loggers.Dispose();
            throw;
        }

        var blobs = store as IBlobStore ?? new MediaDirectoryBlobStore(mediaDir ?? Path.GetFullPath(config.Config.Server.MediaDir));
        var name = store is NatsRecordStore ? $"nats:{NatsUrls.Redact(config.NatsUrl ?? string.Empty)}#{graph}" : $"sqlite:{StoreFactory.SqlitePath(config, graph)}";
        return new GraphStore(store, blobs, name, graph, config, loggers);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Records.DisposeAsync();
        _loggers.Dispose();
    }
}
