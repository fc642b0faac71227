using System.Text.Json;
using TaskGraph.Tests.Nats;
using TaskGraph.Tests.Node.Hosting;
using static TaskGraph.Tests.Node.Distributed.Distributed;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.Distributed;

/// <summary>
/// <c>wait_for_events</c> reads the store's own log: a wait on one node returns a change made through another, and its
/// cursor resumes on a node started afterwards. Real executables on one nats-server, and two processes on one SQLite file.
/// (Argument checks and timeouts on one node run in process: InProcess/EventToolTests.)
/// </summary>
[Collection(NatsServerCollection.Name)]
public sealed class WaitForEventsTests(NatsServerFixture nats)
{
    [Fact]
    public async Task A_wait_on_one_nats_node_returns_a_task_created_through_another_and_its_cursor_resumes_on_a_restarted_node()
    {
        var ct = Timeout(90);
        var graph = NewGraph("events");
        await using var one = await StartNodeAsync(nats.Server.Url, graph, ct);
        var two = await StartNodeAsync(nats.Server.Url, graph, ct);
        try
        {
            await AssertCrossNodeAsync(one, two, "evt-1", ct);
            var cursor = await AssertCrossNodeAsync(one, two, "evt-2", ct);

            // Changes made while node two is gone are still there for its cursor on a new node process.
            await two.DisposeAsync();
            await one.CallAsync("connect", new { worker_id = "ada" }, ct);
            await one.CallAsync("claim", new { worker_id = "ada", task = "evt-2" }, ct);
            two = await StartNodeAsync(nats.Server.Url, graph, ct);
            var resumed = await two.CallAsync("wait_for_events", new { since = cursor, tasks = new[] { "evt-2" }, timeout_ms = 20_000 }, ct);
            var claim = Assert.Single(Events(resumed));
            Assert.Equal(("task", "evt-2", "claim", "ada"), (String(claim, "kind"), String(claim, "id"), String(claim, "change"), String(claim, "owner")));
            Assert.True(resumed.GetProperty("cursor").GetUInt64() > cursor);
        }
        finally
        {
            await two.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_wait_in_one_process_returns_a_task_created_by_another_process_on_the_same_sqlite_file()
    {
        var ct = Timeout(60);
        await using var one = await NodeProcess.StartAsync(ct);
        await using var two = await NodeProcess.StartSharingAsync(one, ct);
        await AssertCrossNodeAsync(one, two, "evt-1", ct);
        await AssertCrossNodeAsync(one, two, "evt-2", ct);
    }

    [Fact]
    public async Task A_worker_whose_task_another_node_took_over_sees_pending_events_until_it_waits_for_them()
    {
        var ct = Timeout(90);
        var graph = NewGraph("pending");
        await using var one = await StartNodeAsync(nats.Server.Url, graph, ct);
        await using var two = await StartNodeAsync(nats.Server.Url, graph, ct);
        await one.CallAsync("connect", new { worker_id = "ada" }, ct);
        await two.CallAsync("connect", new { worker_id = "bob" }, ct);
        await one.CallAsync("create", new { id = "pend-1", title = "Ada's task" }, ct);
        var claimed = await one.CallAsync("claim", new { worker_id = "ada", task = "pend-1" }, ct);
        Assert.False(claimed.TryGetProperty("pending_events", out _), "ada's own claim is no event for ada: " + claimed.GetRawText());

        // Bob, through the other node, takes ada's task over.
        await two.CallAsync("claim", new { worker_id = "bob", task = "pend-1", force = true }, ct);
        JsonElement heartbeat = default;
        await UntilAsync(
            async () => (heartbeat = await one.CallAsync("thinking", new { agent = "ada", thought = "still here" }, ct)).TryGetProperty("pending_events", out _),
            "ada's heartbeat answer carries pending_events", ct);
        Assert.Equal(1, heartbeat.GetProperty("pending_events").GetInt32());

        // Bob's own answers carry nothing: the change was his.
        Assert.False((await two.CallAsync("thinking", new { agent = "bob", thought = "mine now" }, ct)).TryGetProperty("pending_events", out _));

        var seen = await one.CallAsync("wait_for_events", new { worker_id = "ada", since = 0, tasks = new[] { "pend-1" }, timeout_ms = 0 }, ct);
        Assert.Contains(Events(seen), e => String(e, "owner") == "bob");
        var after = await one.CallAsync("thinking", new { agent = "ada", thought = "seen it" }, ct);
        Assert.False(after.TryGetProperty("pending_events", out _), "after wait_for_events the count is cleared: " + after.GetRawText());
    }

    /// <summary>A wait started on <paramref name="two"/> before a create on <paramref name="one"/> returns it; returns the cursor.</summary>
    private static async Task<ulong> AssertCrossNodeAsync(NodeProcess one, NodeProcess two, string id, CancellationToken ct)
    {
        var start = await two.CallAsync("wait_for_events", new { timeout_ms = 0 }, ct);
        var since = start.GetProperty("cursor").GetUInt64();
        var waiting = two.CallAsync("wait_for_events", new { since, timeout_ms = 30_000 }, ct);
        await Task.Delay(200, ct);
        await one.CallAsync("create", new { id, title = "Announce " + id }, ct);
        var answer = await waiting;
        var created = Assert.Single(Events(answer));
        Assert.Equal(("task", id, "create", "pending"), (String(created, "kind"), String(created, "id"), String(created, "change"), String(created, "status")));
        Assert.False(answer.GetProperty("timed_out").GetBoolean());
        return answer.GetProperty("cursor").GetUInt64();
    }

    private static List<JsonElement> Events(JsonElement answer) => [.. answer.GetProperty("events").EnumerateArray()];
}
