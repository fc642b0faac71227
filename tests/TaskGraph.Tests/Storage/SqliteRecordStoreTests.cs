using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Storage.Sqlite;

namespace TaskGraph.Tests.Storage;

/// <summary>What only the SQLite store promises: its file, its reopening, its locking.</summary>
[Trait("Lane", "fast")]
public sealed class SqliteRecordStoreTests : IDisposable
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);
    private readonly SqliteTempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_file_that_is_not_a_sqlite_database_is_refused_at_open_with_a_clear_message()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        var path = _directory.NewFile();
        Directory.CreateDirectory(_directory.Path);
        await File.WriteAllTextAsync(path, "this is a text file, not a database\n", cts.Token);

        var ex = await Assert.ThrowsAsync<InvalidDataException>(
            () => SqliteRecordStore.OpenAsync(new SqliteStoreOptions { Path = path }, null, cts.Token));

        Assert.Contains("not a SQLite database", ex.Message, StringComparison.Ordinal);
        Assert.Equal("this is a text file, not a database\n", await File.ReadAllTextAsync(path, cts.Token));
    }

    [Fact]
    public async Task A_sqlite_database_of_another_application_is_refused_at_open()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        var path = _directory.NewFile();
        Directory.CreateDirectory(_directory.Path);
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync(cts.Token);
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE invoices(id INTEGER PRIMARY KEY, total REAL)";
            await command.ExecuteNonQueryAsync(cts.Token);
        }

        var ex = await Assert.ThrowsAsync<InvalidDataException>(
            () => SqliteRecordStore.OpenAsync(new SqliteStoreOptions { Path = path }, null, cts.Token));

        Assert.Contains("not a TaskGraph store", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_creates_missing_directories_and_puts_the_file_in_wal_mode()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        var path = Path.Combine(_directory.Path, "nested", "task-graph", "tasks.db");

        await using (var store = await SqliteRecordStore.OpenAsync(new SqliteStoreOptions { Path = path }, null, cts.Token))
        {
            await store.CreateAsync("task.a", Bytes("a"), cts.Token);
        }

        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync(cts.Token);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync(cts.Token));
    }

    [Fact]
    public async Task Data_and_positions_survive_dispose_and_reopen()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        var options = new SqliteStoreOptions { Path = _directory.NewFile() };
        ulong revision;
        ulong position;
        await using (var store = await SqliteRecordStore.OpenAsync(options, null, cts.Token))
        {
            var r1 = await store.CreateAsync("task.a", Bytes("v1"), cts.Token);
            revision = await store.UpdateAsync("task.a", Bytes("v2"), r1, cts.Token);
            var rb = await store.CreateAsync("task.b", Bytes("b"), cts.Token);
            await store.DeleteAsync("task.b", rb, cts.Token);
            position = await store.GetPositionAsync(cts.Token);
        }

        await using var reopened = await SqliteRecordStore.OpenAsync(options, null, cts.Token);

        var entry = await reopened.GetAsync("task.a", cts.Token);
        Assert.NotNull(entry);
        Assert.Equal("v2", Text(entry.Value));
        Assert.Equal(revision, entry.Revision);
        Assert.Null(await reopened.GetAsync("task.b", cts.Token));
        Assert.Equal(position, await reopened.GetPositionAsync(cts.Token));
        Assert.Equal(2, (await reopened.HistoryAsync("task.b", 0, cts.Token)).Count);
        var next = await reopened.UpdateAsync("task.a", Bytes("v3"), revision, cts.Token);
        Assert.Equal(position + 1, next);
    }

    [Fact]
    public async Task Two_stores_on_one_file_racing_to_claim_the_same_tasks_give_one_owner_each()
    {
        const int tasks = 40;
        const int agentsPerStore = 4;
        using var cts = new CancellationTokenSource(TestTimeout);
        var options = new SqliteStoreOptions { Path = _directory.NewFile() };
        await using var a = await SqliteRecordStore.OpenAsync(options, null, cts.Token);
        await using var b = await SqliteRecordStore.OpenAsync(options, null, cts.Token);
        var initial = new Dictionary<string, ulong>();
        for (var i = 0; i < tasks; i++)
        {
            var key = RecordKeys.Task("t" + i.ToString(CultureInfo.InvariantCulture));
            initial[key] = await a.CreateAsync(key, Bytes("open"), cts.Token);
        }

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var agents = Enumerable.Range(0, agentsPerStore * 2).Select(n => Task.Run(async () =>
        {
            var store = n < agentsPerStore ? a : b;
            var claimed = new List<string>();
            await gate.Task.WaitAsync(cts.Token);
            foreach (var (key, revision) in initial)
            {
                try
                {
                    // Every agent decided on the same read (revision), so only one compare-and-swap may land.
                    await store.UpdateAsync(key, Bytes("owner-" + n.ToString(CultureInfo.InvariantCulture)), revision, cts.Token);
                    claimed.Add(key);
                }
                catch (ConcurrencyConflictException ex)
                {
                    Assert.Equal(revision, ex.ExpectedRevision);
                }
            }

            return (Agent: n, Claimed: claimed);
        }, cts.Token)).ToList();
        gate.SetResult();
        var results = await Task.WhenAll(agents).WaitAsync(cts.Token);

        var claims = results.SelectMany(r => r.Claimed.Select(k => (Key: k, r.Agent))).ToList();
        Assert.Equal(tasks, claims.Count);
        Assert.Equal(tasks, claims.Select(c => c.Key).Distinct().Count());
        foreach (var (key, agent) in claims)
        {
            Assert.Equal("owner-" + agent.ToString(CultureInfo.InvariantCulture), Text((await b.GetAsync(key, cts.Token))!.Value));
            Assert.Equal(2, (await a.HistoryAsync(key, 0, cts.Token)).Count);
        }
    }

    [Fact]
    public async Task Timestamps_come_from_the_injected_time_provider()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 2, 3, 4, 5, 678, TimeSpan.Zero));
        await using var store = await SqliteRecordStore.OpenAsync(new SqliteStoreOptions { Path = _directory.NewFile() }, time, cts.Token);

        var r1 = await store.CreateAsync("task.a", Bytes("v1"), cts.Token);
        time.Advance(TimeSpan.FromMinutes(5));
        await store.UpdateAsync("task.a", Bytes("v2"), r1, cts.Token);

        Assert.Equal(time.GetUtcNow(), (await store.GetAsync("task.a", cts.Token))!.Timestamp);
        Assert.Equal(
            [time.GetUtcNow().AddMinutes(-5), time.GetUtcNow()],
            (await store.HistoryAsync("task.a", 0, cts.Token)).Select(c => c.Timestamp));
    }

    [Fact]
    public async Task A_write_blocked_by_another_writer_beyond_the_busy_timeout_reports_the_store_unavailable()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        var options = new SqliteStoreOptions { Path = _directory.NewFile(), BusyTimeout = TimeSpan.FromMilliseconds(100) };
        await using var store = await SqliteRecordStore.OpenAsync(options, null, cts.Token);
        var revision = await store.CreateAsync("task.a", Bytes("v1"), cts.Token);
        await using var blocker = new SqliteConnection($"Data Source={options.Path};Pooling=False");
        await blocker.OpenAsync(cts.Token);
        await using (var begin = blocker.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE";
            await begin.ExecuteNonQueryAsync(cts.Token);
        }

        await Assert.ThrowsAsync<StoreUnavailableException>(
            async () => await store.UpdateAsync("task.a", Bytes("v2"), revision, cts.Token));

        // Reads still work beside a writer (WAL), and writes resume once the lock is gone.
        Assert.Equal(revision, (await store.GetAsync("task.a", cts.Token))!.Revision);
        await using (var rollback = blocker.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK";
            await rollback.ExecuteNonQueryAsync(cts.Token);
        }

        Assert.True(await store.UpdateAsync("task.a", Bytes("v2"), revision, cts.Token) > revision);
    }

    [Fact]
    public async Task A_watch_ends_and_calls_fail_after_the_store_is_disposed()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        var store = await SqliteRecordStore.OpenAsync(new SqliteStoreOptions { Path = _directory.NewFile() }, null, cts.Token);
        await store.CreateAsync("task.a", Bytes("v1"), cts.Token);
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = Task.Run(async () =>
        {
            var count = 0;
            await foreach (var change in store.WatchAsync(0, cts.Token))
            {
                count++;
                first.TrySetResult();
            }

            return count;
        }, cts.Token);
        await first.Task.WaitAsync(cts.Token);

        await store.DisposeAsync();

        Assert.Equal(1, await watch.WaitAsync(cts.Token));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.GetAsync("task.a", cts.Token));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.CreateAsync("task.b", Bytes("b"), cts.Token));
    }

    private static ReadOnlyMemory<byte> Bytes(string value) => Encoding.UTF8.GetBytes(value);

    private static string Text(ReadOnlyMemory<byte> value) => Encoding.UTF8.GetString(value.Span);
}
