using TaskGraph.Core.Storage;
using TaskGraph.Core.Storage.Sqlite;

namespace TaskGraph.Tests.Storage;

/// <summary>Runs the store contract against the embedded SQLite store, one temp file per store.</summary>
[Trait("Lane", "fast")]
public sealed class SqliteStoreContractTests : StoreContractTests, IAsyncLifetime
{
    private readonly SqliteTempDirectory _directory = new();
    private readonly List<SqliteRecordStore> _stores = [];

    /// <inheritdoc />
    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        _directory.Dispose();
    }

    /// <inheritdoc />
    protected override async Task<IRecordStore> OpenStoreAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var store = await SqliteRecordStore.OpenAsync(new SqliteStoreOptions { Path = _directory.NewFile() }, null, cts.Token);
        _stores.Add(store);
        return store;
    }

    /// <inheritdoc />
    protected override async Task<IRecordStore> OpenSecondInstanceAsync(IRecordStore first)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var path = ((SqliteRecordStore)first).Options.Path;
        var store = await SqliteRecordStore.OpenAsync(new SqliteStoreOptions { Path = path }, null, cts.Token);
        _stores.Add(store);
        return store;
    }
}
