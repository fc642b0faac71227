using TaskGraph.Tests.Nats;
using static TaskGraph.Tests.Node.Distributed.Distributed;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.Distributed;

/// <summary>Two <c>taskgraph</c> executables on one nats-server and one graph, each driven by its own MCP client over stdio.</summary>
[Collection(NatsServerCollection.Name)]
public sealed class TwoNodeTests(NatsServerFixture nats)
{
    [Fact]
    public async Task A_task_created_through_one_node_is_claimed_searched_completed_and_marked_across_both()
    {
        var ct = Timeout();
        var graph = NewGraph("two");
        await using var one = await StartNodeAsync(nats.Server.Url, graph, ct);
        await using var two = await StartNodeAsync(nats.Server.Url, graph, ct);
        var ada = await one.CallAsync("connect", new { worker_id = "ada" }, ct);
        await two.CallAsync("connect", new { worker_id = "bea" }, ct);
        Assert.Equal(("nats", 1), (String(ada.GetProperty("store"), "kind"), ada.GetProperty("store").GetProperty("replicas").GetInt32()));

        await one.CallAsync("create", new { id = "fuse-box", title = "Rewire the fuse box", description = "replace the corroded busbar in the annex" }, ct);

        // Node two follows the store's change log: the task shows up there as ready, and search finds it.
        await UntilAsync(async () => Ids(await two.CallAsync("list_tasks", new { ready = true }, ct)).Contains("fuse-box"), "node two lists the task as ready", ct);
        var hit = Assert.Single((await two.CallAsync("search", new { query = "busbar" }, ct)).GetProperty("results").EnumerateArray());
        Assert.Equal("fuse-box", String(hit, "task_id"));

        var claim = await two.CallAsync("claim", new { worker_id = "bea", task = "fuse-box" }, ct);
        Assert.Equal("bea", String(claim.GetProperty("task"), "worker_id"));

        // Node one decides on the store, not on its read model: its agent loses at once, and then it shows the owner.
        var refused = await one.CallExpectErrorAsync("claim", new { worker_id = "ada", task = "fuse-box" }, ct);
        Assert.Equal("ALREADY_CLAIMED", refused.Code);
        Assert.Contains("bea", refused.Message, StringComparison.Ordinal);
        await UntilAsync(async () => String(await one.CallAsync("get", new { task = "fuse-box" }, ct), "worker_id") == "bea", "node one shows bea as the owner", ct);

        await two.CallAsync("update", new { worker_id = "bea", task = "fuse-box", status = "completed" }, ct);
        await UntilAsync(async () => String(await one.CallAsync("get", new { task = "fuse-box" }, ct), "status") == "completed", "node one shows the task completed", ct);
        var history = (await one.CallAsync("task_history", new { task = "fuse-box" }, ct)).GetProperty("history").EnumerateArray().ToList();
        Assert.Equal(["pending", "working", "completed"], history.Select(r => String(r, "status")));
        Assert.Equal("bea", String(history[1], "worker_id"));

        // A mark taken through node one reaches the other agent's mark_updates on node two.
        var file = Path.Combine(Path.GetTempPath(), "annex", "wiring.md");
        await two.CallAsync("mark_updates", new { agent = "bea" }, ct);
        await one.CallAsync("mark_file", new { agent = "ada", file, reason = "drawing the new wiring plan" }, ct);
        var seen = new List<(string? File, string? Agent, string? Reason)>();
        await UntilAsync(async () =>
        {
            var updates = await two.CallAsync("mark_updates", new { agent = "bea" }, ct);
            seen.AddRange(updates.GetProperty("new_marks").EnumerateArray().Select(m => (String(m, "file"), String(m, "agent"), String(m, "reason"))));
            return seen.Count > 0;
        }, "node two's mark_updates shows ada's mark", ct);
        Assert.Equal((file, "ada", "drawing the new wiring plan"), Assert.Single(seen));

        await one.CallAsync("disconnect", new { worker_id = "ada" }, ct);
        await two.CallAsync("disconnect", new { worker_id = "bea" }, ct);
    }
}
