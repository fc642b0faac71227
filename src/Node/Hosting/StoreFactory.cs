using Microsoft.Extensions.Logging;
using TaskGraph.Bus.KeyValue;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Storage.Sqlite;
using TaskGraph.Node.Configuration;

namespace TaskGraph.Node.Hosting;

/// <summary>Opens the store the config selects: the embedded SQLite file (default) or NATS JetStream.</summary>
public static class StoreFactory
{
    /// <summary>Opens the store; returns it with a human description of where it lives (never a secret).</summary>
    public static async Task<(IRecordStore Store, string Location)> OpenAsync(LoadedConfig config, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var server = config.Config.Server;
        if (config.Nats is { } nats)
        {
            var store = await NatsRecordStore.OpenAsync(nats, loggers, cancellationToken);
            return (store, $"{RedactUrls(nats.Url)}, graph {nats.Graph}, bucket {store.BucketName}");
        }

        var path = Path.GetFullPath(server.DbPath);
        var sqlite = await SqliteRecordStore.OpenAsync(new SqliteStoreOptions { Path = path }, time, cancellationToken);
        return (sqlite, path);
    }

    private static string RedactUrls(string urls) => string.Join(',', urls.Split(',').Select(u =>
        Uri.TryCreate(u.Trim(), UriKind.Absolute, out var uri) && !string.IsNullOrEmpty(uri.UserInfo) ? u.Replace(uri.UserInfo + "@", "***@", StringComparison.Ordinal) : u.Trim()));
}
