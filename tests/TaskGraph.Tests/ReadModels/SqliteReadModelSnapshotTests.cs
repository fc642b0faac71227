using TaskGraph.Core.Storage;
using TaskGraph.Core.Storage.Sqlite;

namespace TaskGraph.Tests.ReadModels;

/// <summary><see cref="ReadModelSnapshotTests"/> on SQLite files (one per store name) in the test's directory.</summary>
[Trait("Lane", "fast")]
public sealed class SqliteReadModelSnapshotTests : ReadModelSnapshotTests
{
    private protected override async Task<IRecordStore> OpenStoreAsync(string name, CancellationToken ct) =>
        await SqliteRecordStore.OpenAsync(new SqliteStoreOptions { Path = Path.Combine(Directory, name + ".db") }, TimeProvider.System, ct);
}
