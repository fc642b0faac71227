namespace TaskGraph.Core.Storage.Sqlite;

/// <summary>Options of the embedded SQLite store.</summary>
public sealed record SqliteStoreOptions
{
    /// <summary>The database file; its directory is created if missing. Several processes may share it.</summary>
    public required string Path { get; init; }

    /// <summary>
    /// Durability of a commit. Defaults to <see cref="SqliteSynchronousMode.Normal"/>: in WAL mode an acknowledged write
    /// survives the kill of any process (the promise the product tests), only a power loss can drop the newest commits,
    /// and a write costs about an eighth of <see cref="SqliteSynchronousMode.Full"/>.
    /// </summary>
    public SqliteSynchronousMode Synchronous { get; init; } = SqliteSynchronousMode.Normal;

    /// <summary>How long a write waits for another process's write lock before the store reports itself unavailable.</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a watch looks for changes written by other processes (this process's writes wake it at once).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(25);
}
