using Microsoft.Extensions.Time.Testing;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.InProcess;

/// <summary>
/// <c>task_history</c> and <c>project_history</c> through the real tools on a fake clock: every transition once, in
/// order, with who, why and the exact times the changes were made, and durations accrued only in timed states.
/// </summary>
[Trait("Lane", "fast")]
public sealed class HistoryToolTests : InProcessToolTests
{
    private readonly FakeTimeProvider _clock = new(InProcessNode.FakeEpoch);

    protected override FakeTimeProvider Clock => _clock;

    private long Now => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    [Fact]
    public async Task Task_history_lists_each_transition_with_its_worker_reason_and_times_and_accrues_working_time()
    {
        await ConnectAsync("alice", "bob");
        var created = Now;
        await CreateAsync("job");
        _clock.Advance(TimeSpan.FromSeconds(10));
        var claimed = Now;
        await CallAsync("claim", new { worker_id = "alice", task = "job" });
        _clock.Advance(TimeSpan.FromSeconds(5));
        var released = Now;
        await CallAsync("update", new { worker_id = "alice", task = "job", status = "pending", reason = "blocked on review" });
        _clock.Advance(TimeSpan.FromSeconds(1));
        var reclaimed = Now;
        await CallAsync("claim", new { worker_id = "bob", task = "job" });
        _clock.Advance(TimeSpan.FromSeconds(3));

        // while working, the open row counts up to now
        var open = await CallAsync("task_history", new { task = "job" });
        Assert.Equal(3000, open.GetProperty("current_duration_ms").GetInt64());

        var completed = Now;
        await CallAsync("update", new { worker_id = "bob", task = "job", status = "completed" });
        var history = await CallAsync("task_history", new { task = "job" });
        var rows = history.GetProperty("history").EnumerateArray().ToList();
        Assert.Equal(["pending", "working", "pending", "working", "completed"], rows.Select(r => String(r, "status")));
        Assert.Equal([created, claimed, released, reclaimed, completed], rows.Select(r => r.GetProperty("timestamp").GetInt64()));
        Assert.Equal([claimed, released, reclaimed, completed], rows.Take(4).Select(r => r.GetProperty("end_timestamp").GetInt64()));
        Assert.Equal(("alice", "bob"), (String(rows[1], "worker_id"), String(rows[3], "worker_id")));
        Assert.Equal("blocked on review", String(rows[2], "reason"));
        Assert.Equal(8000, history.GetProperty("time_per_status_ms").GetProperty("working").GetInt64());
        var perAgent = history.GetProperty("time_per_agent_ms");
        // Per agent, every row counts for the worker it names: the pending row alice opened by releasing adds its 1 s to
        // her 5 s of work (reported to the lead: arguably only timed rows, or rows while owning, should count).
        Assert.Equal("alice", String(rows[2], "worker_id"));
        Assert.Equal((6000, 3000), (perAgent.GetProperty("alice").GetInt64(), perAgent.GetProperty("bob").GetInt64()));
        Assert.False(history.TryGetProperty("current_duration_ms", out _));

        var working = await CallAsync("task_history", new { task = "job", states = new[] { "working" } });
        Assert.Equal(2, working.GetProperty("history").GetArrayLength());
        await RefusedAsync("task_history", new { task = "ghost" }, "TASK_NOT_FOUND");
    }

    [Fact]
    public async Task Project_history_counts_transitions_by_status_and_agent_newest_first_within_a_time_range()
    {
        await ConnectAsync("alice");
        await CreateAsync("p1", "p2");
        _clock.Advance(TimeSpan.FromMinutes(1));
        var later = Now;
        await CallAsync("claim", new { worker_id = "alice", task = "p1" });
        _clock.Advance(TimeSpan.FromSeconds(30));
        await CallAsync("update", new { worker_id = "alice", task = "p1", status = "completed" });

        var all = await CallAsync("project_history");
        var summary = all.GetProperty("summary");
        Assert.Equal((4, 2), (summary.GetProperty("total_transitions").GetInt32(), summary.GetProperty("tasks_affected").GetInt32()));
        var byStatus = all.GetProperty("transitions_by_status");
        Assert.Equal((2, 1, 1), (byStatus.GetProperty("pending").GetInt32(), byStatus.GetProperty("working").GetInt32(), byStatus.GetProperty("completed").GetInt32()));
        Assert.Equal(2, all.GetProperty("transitions_by_agent").GetProperty("alice").GetInt32());
        Assert.Equal(30000, all.GetProperty("time_by_agent_ms").GetProperty("alice").GetInt64());
        var times = all.GetProperty("transitions").EnumerateArray().Select(t => t.GetProperty("timestamp").GetInt64()).ToList();
        Assert.Equal(times.OrderDescending(), times);

        var recent = await CallAsync("project_history", new { from = later });
        Assert.Equal(["completed", "working"], recent.GetProperty("transitions").EnumerateArray().Select(t => String(t, "status")));
        Assert.Single((await CallAsync("project_history", new { limit = 1 })).GetProperty("transitions").EnumerateArray());
    }
}
