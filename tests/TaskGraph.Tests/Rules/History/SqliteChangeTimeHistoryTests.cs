using TaskGraph.Core.Storage;
using TaskGraph.Core.Storage.Sqlite;

namespace TaskGraph.Tests.Rules.History;

/// <summary><see cref="ChangeTimeHistoryTests"/> on a SQLite file opened on the system clock.</summary>
[Trait("Lane", "fast")]
public sealed class SqliteChangeTimeHistoryTests : ChangeTimeHistoryTests, IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "taskgraph-rules", Guid.NewGuid().ToString("N"));

    private string DbPath => Path.Combine(_directory, "tasks.db");

    private protected override async Task<IRecordStore> OpenStoreAsync(CancellationToken cancellationToken) =>
        await SqliteRecordStore.OpenAsync(new SqliteStoreOptions { Path = DbPath }, TimeProvider.System, cancellationToken);

    private protected override Task<IRecordStore> ReopenStoreAsync(CancellationToken cancellationToken) => OpenStoreAsync(cancellationToken);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
