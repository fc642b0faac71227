using TaskGraph.Core.ReadModels;
using TaskGraph.Core.Storage.Sqlite;

namespace TaskGraph.Tests.ReadModels;

/// <summary>The read barrier on SQLite: another store instance's writes (another process's, in effect) are caught up at once.</summary>
[Trait("Lane", "fast")]
public sealed class SqliteCatchUpTests
{
    [Fact]
    public async Task Catching_up_sees_another_instances_acknowledged_writes_without_waiting_for_a_poll()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var directory = Path.Combine(Path.GetTempPath(), "taskgraph-catchup", Guid.NewGuid().ToString("N"));
        var path = Path.Combine(directory, "tasks.db");
        await using var writer = await SqliteRecordStore.OpenAsync(new SqliteStoreOptions { Path = path }, null, cts.Token);

        // The reader's watch would poll only every ten minutes: if the catch-up waited for a poll, the test would time out.
        await using var reader = await SqliteRecordStore.OpenAsync(new SqliteStoreOptions { Path = path, PollInterval = TimeSpan.FromMinutes(10) }, null, cts.Token);
        await using var model = await ReadModel.StartAsync(reader, TimeProvider.System, null, cts.Token);
        for (var round = 0; round < 50; round++)
        {
            var key = $"probe.catchup-{round:D2}";
            var revision = await writer.CreateAsync(key, System.Text.Encoding.UTF8.GetBytes($$"""{"round":{{round}}}"""), cts.Token);
            await model.CatchUpAsync(cts.Token);
            Assert.True(model.AppliedPosition >= revision, $"round {round}: applied {model.AppliedPosition}, acknowledged {revision}");
        }

        Directory.Delete(directory, recursive: true);
    }
}
