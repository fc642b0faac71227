using System.Diagnostics;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using TaskGraph.Bus.Connection;
using TaskGraph.Bus.KeyValue;
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
    public static async Task<(IRecordStore Store, string Location)> OpenAsync(LoadedConfig config, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var server = config.Config.Server;
        if (config.Nats is { } nats)
        {
            var store = await OpenNatsAsync(nats, loggers, cancellationToken);
            return (store, $"{NatsUrls.Redact(nats.Url)}, graph {nats.Graph}, bucket {store.BucketName}");
        }

        var path = Path.GetFullPath(server.DbPath);
        var sqlite = await SqliteRecordStore.OpenAsync(new SqliteStoreOptions { Path = path }, time, cancellationToken);
        return (sqlite, path);
    }

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
