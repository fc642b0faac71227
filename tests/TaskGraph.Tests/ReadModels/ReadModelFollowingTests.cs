using TaskGraph.Core.Storage;

namespace TaskGraph.Tests.ReadModels;

[Trait("Lane", "fast")]
public sealed class ReadModelFollowingTests
{
    [Fact]
    public async Task A_cold_replay_builds_the_same_tables_as_live_following()
    {
        await using var h = await ReadModelHarness.StartedAsync();
        await WriteScenarioAsync(h);
        await h.Model.WaitForPositionAsync(await h.Store.GetPositionAsync(h.Ct), h.Ct);

        var replayed = await h.StartModelAsync();

        Assert.Equal(h.Model.AppliedPosition, replayed.AppliedPosition);
        Assert.Equal(h.Model.DumpTables(), replayed.DumpTables());
        Assert.Contains("renamed-b", replayed.DumpTables(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_returns_only_after_everything_committed_before_it_is_applied()
    {
        await using var h = new ReadModelHarness();
        for (var i = 0; i < 1200; i++)
        {
            await h.Writer.CreateTaskAsync($"t{i}", ct: h.Ct);
        }

        var model = await h.StartModelAsync();

        Assert.Equal(1200UL, model.AppliedPosition);
        Assert.NotNull(model.GetTask("t1199"));
    }

    [Fact]
    public async Task A_writer_sees_its_own_write_after_waiting_for_its_revision()
    {
        await using var h = await ReadModelHarness.StartedAsync();

        var write = await h.Writer.CreateTaskAsync("mine", title: "My task", ct: h.Ct);
        await h.Model.WaitForAsync(write.Key, write.Revision, h.Ct);

        Assert.Equal("My task", h.Model.GetTask("mine")?.Title);
        Assert.True(h.Model.WaitForAsync(write.Key, write.Revision, h.Ct).IsCompletedSuccessfully);
        Assert.True(h.Model.WaitForAsync(write.Key, write.Revision - 1, h.Ct).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Waiting_for_a_revision_not_yet_committed_completes_when_it_is_applied()
    {
        await using var h = await ReadModelHarness.StartedAsync();
        var first = await h.Writer.CreateTaskAsync("a", ct: h.Ct);

        var waiting = h.Model.WaitForAsync(first.Key, first.Revision + 1, h.Ct).AsTask();
        await h.Model.WaitForAsync(first.Key, first.Revision, h.Ct);
        Assert.False(waiting.IsCompleted);

        await h.Writer.SetStatusAsync("a", "working", owner: "w1", ct: h.Ct);
        await waiting.WaitAsync(h.Ct);
        Assert.Equal("working", h.Model.GetTask("a")?.Status);
    }

    [Fact]
    public async Task Every_status_transition_appears_in_history_exactly_once_in_commit_order_under_a_burst()
    {
        await using var h = await ReadModelHarness.StartedAsync();
        await h.Writer.CreateTaskAsync("busy", ct: h.Ct);
        var expected = new List<string> { "pending" };
        WriteResult last = null!;
        for (var i = 0; i < 300; i++)
        {
            var status = i % 2 == 0 ? "working" : "pending";
            last = await h.Writer.SetStatusAsync("busy", status, owner: status == "working" ? "w1" : null, ct: h.Ct);
            expected.Add(status);
        }

        await h.Model.WaitForAsync(last.Key, last.Revision, h.Ct);
        var live = h.Model.GetTaskHistory("busy", null, _ => false, h.NowMs).History;
        var replayed = (await h.StartModelAsync()).GetTaskHistory("busy", null, _ => false, h.NowMs).History;

        Assert.Equal(expected, live.Select(r => r.Status));
        Assert.Equal(live, replayed);
        Assert.Single(live, r => r.EndTimestamp is null);
    }

    [Fact]
    public async Task A_broken_watch_fails_waiters_instead_of_leaving_them_hanging()
    {
        await using var h = await ReadModelHarness.StartedAsync();
        var write = await h.Writer.CreateTaskAsync("a", ct: h.Ct);
        await h.Model.WaitForAsync(write.Key, write.Revision, h.Ct);
        var waiting = h.Model.WaitForAsync(write.Key, write.Revision + 10, h.Ct).AsTask();

        h.Store.FailWatches(new InvalidOperationException("disk on fire"));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => waiting.WaitAsync(h.Ct));
        Assert.Contains("disk on fire", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Model.WaitForAsync("task.other", 1, h.Ct).AsTask());
        Assert.NotNull(h.Model.GetTask("a"));
    }

    [Fact]
    public async Task Start_fails_when_the_store_cannot_be_replayed()
    {
        await using var h = new ReadModelHarness();
        await h.Writer.CreateTaskAsync("a", ct: h.Ct);
        h.Store.FailWatches(new InvalidOperationException("corrupt log"));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => h.StartModelAsync());
        Assert.Contains("corrupt log", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_undecodable_record_is_skipped_and_the_model_keeps_following()
    {
        await using var h = await ReadModelHarness.StartedAsync();
        await h.Store.CreateAsync(RecordKeys.Task("bad"), "not json"u8.ToArray(), h.Ct);
        var good = await h.Writer.CreateTaskAsync("good", ct: h.Ct);

        await h.Model.WaitForAsync(good.Key, good.Revision, h.Ct);

        Assert.Null(h.Model.GetTask("bad"));
        Assert.NotNull(h.Model.GetTask("good"));
    }

    [Fact]
    public async Task Cancelling_a_wait_cancels_only_that_wait()
    {
        await using var h = await ReadModelHarness.StartedAsync();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(h.Ct);
        var waiting = h.Model.WaitForAsync("task.x", 5, cts.Token).AsTask();

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        var write = await h.Writer.CreateTaskAsync("x", ct: h.Ct);
        await h.Model.WaitForAsync(write.Key, write.Revision, h.Ct);
    }

    private static async Task WriteScenarioAsync(ReadModelHarness h)
    {
        var w = h.Writer;
        await w.PutWorkerAsync("w1", ["rust"], h.Ct);
        await w.CreateTaskAsync("a", "Parse config", "Read the YAML", tags: ["infra"], ct: h.Ct);
        h.Advance(10);
        await w.CreateTaskAsync("b", "Write parser", needed: ["rust"], phase: "design", ct: h.Ct);
        await w.LinkAsync("a", "b", ct: h.Ct);
        h.Advance(10);
        await w.SetStatusAsync("a", "working", owner: "w1", ct: h.Ct);
        await w.SetPhaseAsync("b", "implement", h.Ct);
        await w.MarkAsync("/src/a.rs", "w1", "a", "editing", h.Ct);
        h.Advance(10);
        await w.SetStatusAsync("a", "completed", reason: "done", actor: "w1", ct: h.Ct);
        await w.UnmarkAsync("/src/a.rs", h.Ct);
        await w.RenameAsync("b", "renamed-b", h.Ct);
        await w.CreateTaskAsync("gone", ct: h.Ct);
        await w.ObliterateAsync("gone", h.Ct);
        await w.ChangeTaskAsync("a", t => t with { DeletedAt = h.NowMs, DeletedBy = "w1" }, h.Ct);
    }
}
