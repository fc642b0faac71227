using TaskGraph.Tests.Nats;
using static TaskGraph.Tests.Node.Distributed.Distributed;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.Distributed;

/// <summary>A node process dies (kill -9); its agent carries on through another node, because claims belong to worker ids.</summary>
[Collection(NatsServerCollection.Name)]
public sealed class NodeKillTests(NatsServerFixture nats)
{
    [Fact]
    public async Task An_agent_whose_node_was_killed_reconnects_through_another_node_and_still_owns_its_tasks()
    {
        var ct = Timeout();
        var graph = NewGraph("kill");
        await using var one = await StartKillableNodeAsync(nats.Server.Url, graph, ct);
        await using var two = await StartNodeAsync(nats.Server.Url, graph, ct);
        await one.CallAsync("connect", new { worker_id = "cora" }, ct);
        foreach (var id in new[] { "kiln-1", "kiln-2" })
        {
            await one.CallAsync("create", new { id, title = $"Fire batch {id}" }, ct);
            await one.CallAsync("claim", new { worker_id = "cora", task = id }, ct);
        }

        await one.KillAsync();

        // The worker is still registered, so a plain connect is refused; force re-registers it and keeps its claims.
        Assert.Equal("ALREADY_EXISTS", (await two.CallExpectErrorAsync("connect", new { worker_id = "cora" }, ct)).Code);
        await two.CallAsync("connect", new { worker_id = "cora", force = true }, ct);
        await UntilAsync(async () => Ids(await two.CallAsync("list_tasks", new { owner = "cora" }, ct)).Order(StringComparer.Ordinal).SequenceEqual(["kiln-1", "kiln-2"]),
            "node two lists both tasks as cora's", ct);

        var done = await two.CallAsync("update", new { worker_id = "cora", task = "kiln-1", status = "completed" }, ct);
        Assert.Equal("completed", String(done, "status"));
        Assert.Equal(["kiln-2"], Ids(await two.CallAsync("list_tasks", new { owner = "cora" }, ct)));
        var history = (await two.CallAsync("task_history", new { task = "kiln-1" }, ct)).GetProperty("history").EnumerateArray();
        Assert.Equal([("pending", null), ("working", "cora"), ("completed", "cora")], history.Select(r => (String(r, "status"), String(r, "worker_id"))));

        await two.CallAsync("disconnect", new { worker_id = "cora" }, ct);
    }
}
