using Microsoft.Data.Sqlite;

namespace TaskGraph.Tests.Storage;

/// <summary>A temp directory for SQLite store files, deleted (with any WAL and shm files) on dispose.</summary>
public sealed class SqliteTempDirectory : IDisposable
{
    private int _files;

    /// <summary>The directory.</summary>
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "taskgraph-tests", Guid.NewGuid().ToString("N"));

    /// <summary>A fresh file path inside the directory (the file itself is not created).</summary>
    public string NewFile() => System.IO.Path.Combine(Path, $"store-{Interlocked.Increment(ref _files)}.db");

    /// <inheritdoc />
    public void Dispose()
    {
        // Microsoft.Data.Sqlite pools connections by default; make sure none keeps a file open.
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
