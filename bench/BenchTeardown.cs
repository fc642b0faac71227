using Microsoft.Data.Sqlite;

namespace TaskGraph.Bench;

/// <summary>How a scenario that ran child processes cleans up: its nats-server stopped, SQLite pools closed, its directory deleted.</summary>
internal static class BenchTeardown
{
    /// <summary>Stops <paramref name="nats"/> (when one was started) and deletes <paramref name="dir"/> (best effort).</summary>
    public static async Task CleanUpAsync(NatsServer? nats, string dir)
    {
        if (nats is not null)
        {
            await nats.DisposeAsync().ConfigureAwait(false);
        }

        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
            // A child still closing a file; the OS cleans temp eventually.
        }
    }
}
