namespace TaskGraph.Node.Configuration;

/// <summary>Maps <c>server.cache_dir</c> and <c>server.read_model.snapshot</c> (ADR 0010).</summary>
public static class ReadModelSettingsMapper
{
    /// <summary>The directory of a NATS node's per-graph cache files when none is configured.</summary>
    public const string DefaultCacheDir = "task-graph/cache";

    /// <summary>Whether read-model snapshots are kept (default true) and where a NATS node keeps them.</summary>
    public static (bool Snapshots, string CacheDir) Map(Dictionary<string, object?> tree, ConfigReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var server = reader.Map(tree, "server", "server");
        var readModel = reader.Map(server, "read_model", "server.read_model");
        var snapshots = reader.Bool(readModel, "snapshot", "server.read_model.snapshot") ?? true;
        var cacheDir = reader.Text(server, "cache_dir", "server.cache_dir") ?? DefaultCacheDir;
        if (cacheDir.Length == 0)
        {
            reader.Problem("server.cache_dir", "must not be empty");
        }

        return (snapshots, cacheDir);
    }
}
