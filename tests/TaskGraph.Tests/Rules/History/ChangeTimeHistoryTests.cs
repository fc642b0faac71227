using Microsoft.Extensions.Time.Testing;
using TaskGraph.Core.Configuration;
using TaskGraph.Core.Records;
using TaskGraph.Core.Runtime;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Tasks;
using TaskGraph.Core.Workers;

namespace TaskGraph.Tests.Rules.History;

/// <summary>
/// History shows when a change was made (the writing node's clock, carried in the record as <c>changed_at</c>), not when
/// a store committed it: the rules run on a fake clock in 2025 while the store commits on its own clock (SQLite opened
/// on the system clock; nats-server's), and a read model rebuilt from the store's log shows the 2025 times. Every
/// record written carries <c>schema</c> and <c>changed_at</c> first.
/// </summary>
public abstract class ChangeTimeHistoryTests
{
    private static readonly DateTimeOffset Made = new(2025, 3, 1, 9, 0, 0, TimeSpan.Zero);

    /// <summary>A fresh, empty store whose own commit clock is the real one.</summary>
    private protected abstract Task<IRecordStore> OpenStoreAsync(CancellationToken cancellationToken);

    /// <summary>Another instance on the same data (a second node, or a restart).</summary>
    private protected abstract Task<IRecordStore> ReopenStoreAsync(CancellationToken cancellationToken);

    [Fact]
    public async Task A_rebuilt_history_shows_the_times_the_changes_were_made_not_when_they_were_stored()
    {
        using var cts = RulesHarness.Timeout();
        var ct = cts.Token;
        var clock = new FakeTimeProvider(Made);
        var config = new ConfigHolder(new TaskGraphConfig());
        var directory = Path.GetTempPath();
        await using (var writer = await GraphRuntime.StartAsync(await OpenStoreAsync(ct), config, clock, directory, null, ct))
        {
            await writer.Workers.ConnectAsync(new ConnectRequest { WorkerId = "ada" }, ct);
            await writer.Tasks.CreateAsync(new CreateTaskRequest { Id = "timed", Title = "timed" }, ct);
            clock.Advance(TimeSpan.FromMinutes(1));
            await writer.Tasks.ClaimAsync("ada", "timed", false, ct);
            clock.Advance(TimeSpan.FromMinutes(2));
            await writer.Tasks.UpdateAsync(new UpdateTaskRequest { WorkerId = "ada", TaskId = "timed", Status = "completed" }, ct);

            var entry = await writer.Store.GetAsync(RecordKeys.Task("timed"), ct);
            Assert.NotNull(entry);
            Assert.StartsWith($"{{\"schema\":{RecordJson.Schema},\"changed_at\":{clock.GetUtcNow().ToUnixTimeMilliseconds()},", System.Text.Encoding.UTF8.GetString(entry.Value.Span));
        }

        // Another node starts from the store's log alone, on a clock far from both.
        var later = new FakeTimeProvider(Made.AddYears(3));
        await using var reader = await GraphRuntime.StartAsync(await ReopenStoreAsync(ct), config, later, directory, null, ct);
        var history = reader.Reads.GetTaskHistory("timed", null, _ => true, later.GetUtcNow().ToUnixTimeMilliseconds()).History;
        var times = history.Select(row => (row.Status, DateTimeOffset.FromUnixTimeMilliseconds(row.Timestamp))).ToList();
        Assert.Equal(
            [("pending", Made), ("working", Made.AddMinutes(1)), ("completed", Made.AddMinutes(3))],
            times);
        Assert.Equal(Made.AddMinutes(3).ToUnixTimeMilliseconds(), history[1].EndTimestamp);
        Assert.Equal((long)TimeSpan.FromMinutes(2).TotalMilliseconds, reader.Reads.GetTaskHistory("timed", null, _ => true, 0).TimePerStatusMs["working"]);
    }
}
