using TaskGraph.Core.Storage;
using TaskGraph.Core.Storage.Sqlite;

namespace TaskGraph.Bench;

/// <summary>A temp directory holding each store's file and the raw baseline's own file; deleted on dispose.</summary>
internal sealed class SqliteEnvironment : IBenchEnvironment
{
    private readonly string _directory = Directory.CreateTempSubdirectory("taskgraph-bench-").FullName;
    private int _files;

    /// <inheritdoc />
    public string Store => "sqlite";

    /// <inheritdoc />
    public async Task<IRecordStore> OpenStoreAsync(CancellationToken cancellationToken) =>
        await SqliteRecordStore.OpenAsync(new SqliteStoreOptions { Path = NextPath("store") }, null, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public Task<IRawBaseline> OpenBaselineAsync(int callers, CancellationToken cancellationToken) =>
        Task.FromResult<IRawBaseline>(RawSqliteBaseline.Open(NextPath("raw"), callers));

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open elsewhere; the temp directory is cleaned by the OS eventually.
        }

        return ValueTask.CompletedTask;
    }

    private string NextPath(string kind) => Path.Combine(_directory, $"{kind}-{Interlocked.Increment(ref _files)}.db");
}
