using System.Diagnostics;
using NATS.Client.Core;
using TaskGraph.Bus.Connection;
using TaskGraph.Bus.KeyValue;
using TaskGraph.Core.ReadModels;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Storage.Sqlite;
using TaskGraph.Node.Configuration;

namespace TaskGraph.Node.Hosting;

/// <summary>Opens the store the config selects: the embedded SQLite file (default) or NATS JetStream.</summary>
public static class StoreFactory
{
    /// <summary>
    /// Opens the store; returns it with a human description of where it lives (never a secret). On NATS, gives up after
    /// the connect timeout (<c>server.nats.connect_timeout_seconds</c>) or at once on a permanent error, with a
    /// <see cref="NatsStartupException"/> whose message is one line.
    /// </summary>
    public static Task<(IRecordStore Store, string Location)> OpenAsync(LoadedConfig config, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken) =>
        OpenAsync(config, config.Config.Server.Graph, time, loggers, cancellationToken);

    /// <summary>Opens the store of one named graph (a node serves one or several); as the other overload otherwise.</summary>
    public static async Task<(IRecordStore Store, string Location)> OpenAsync(LoadedConfig config, string graph, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Nats is { } nats)
        {
            var store = await OpenNatsAsync(nats with { Graph = graph }, loggers, cancellationToken);
            return (store, $"{NatsUrls.Redact(nats.Url)}, graph {graph}, bucket {store.BucketName}");
        }

        var path = SqlitePath(config, graph);
        var sqlite = await SqliteRecordStore.OpenAsync(new SqliteStoreOptions { Path = path }, time, cancellationToken);
        return (sqlite, path);
    }

    /// <summary>
    /// A graph's SQLite file: <c>server.db_path</c> (<c>--db</c>) for the graph named <c>default</c>, and
    /// <c>&lt;graph&gt;.db</c> beside it for any other, so every command that names a graph finds the same file.
    /// </summary>
    public static string SqlitePath(LoadedConfig config, string graph)
    {
        ArgumentNullException.ThrowIfNull(config);
        var path = Path.GetFullPath(config.Config.Server.DbPath);
        return graph == DefaultGraph ? path : Path.Combine(Path.GetDirectoryName(path)!, graph + ".db");
    }

    /// <summary>
    /// Where the read model of one graph keeps its snapshot (null when <c>server.read_model.snapshot</c> is off): beside a
    /// SQLite store (<c>&lt;db path&gt;.readmodel</c>), or <c>&lt;server.cache_dir&gt;/&lt;graph&gt;.readmodel</c> for NATS.
    /// </summary>
    public static ReadModelSnapshotOptions? SnapshotOptions(LoadedConfig config, string graph, IRecordStore store)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!config.ReadModelSnapshots)
        {
            return null;
        }

        if (store is NatsRecordStore nats)
        {
            return new ReadModelSnapshotOptions
            {
                Path = Path.GetFullPath(Path.Combine(config.CacheDir, graph + ".readmodel")),
                StoreIdentity = "nats bucket " + nats.BucketName,
            };
        }

        var db = SqlitePath(config, graph);
        return new ReadModelSnapshotOptions { Path = db + ".readmodel", StoreIdentity = "sqlite " + db };
    }

    /// <summary>The graph a node serves when none is named.</summary>
    public const string DefaultGraph = "default";

    private static async Task<NatsRecordStore> OpenNatsAsync(NatsStoreOptions nats, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        // OpenTimeout is the whole wait at start: first that JetStream answers at all (a permanent error ends it at
        // once), then that the bucket opens in what is left of it.
        var started = Stopwatch.GetTimestamp();
        await NatsConnectionFactory.CheckJetStreamAsync(nats, nats.OpenTimeout, cancellationToken);
        var left = nats.OpenTimeout - Stopwatch.GetElapsedTime(started);
        var url = NatsUrls.Redact(nats.Url);
        try
        {
            return await NatsRecordStore.OpenAsync(nats with { OpenTimeout = left > TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1) }, loggers, cancellationToken);
        }
        catch (StoreUnavailableException ex)
        {
            throw new NatsStartupException($"NATS at {url}: the graph's bucket could not be opened within {nats.OpenTimeout.TotalSeconds:0.#} s ({OneLine(ex.InnerException ?? ex)})", ex);
        }
        catch (NatsException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new NatsStartupException($"NATS at {url}: the graph's bucket could not be opened: {OneLine(ex)}", ex);
        }
    }

    private static string OneLine(Exception ex) => ex.Message.ReplaceLineEndings(" ");
}
