using TaskGraph.Tests.Nats;
using TaskGraph.Tests.Node.Hosting;
using static TaskGraph.Tests.Node.Distributed.Distributed;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.Distributed;

/// <summary>Leases across nodes: an agent that stops heartbeating loses its claims, to other agents and to the sweepers.</summary>
[Collection(NatsServerCollection.Name)]
public sealed class LeaseExpiryTests(NatsServerFixture nats, ITestOutputHelper output)
{
    private const string StaleSeconds = "3";
    private static readonly string[] LateWriteRefusals = ["LEASE_EXPIRED", "AGENT_NOT_FOUND", "NOT_OWNER"];

    [Fact]
    public async Task A_silent_agents_task_is_taken_over_without_force_once_its_lease_has_passed()
    {
        var ct = Timeout();
        var graph = NewGraph("lease");

        // Node one hands out short leases and then dies, so no sweeper runs with them; node two sweeps only every 15 s.
        await using var one = await StartKillableNodeAsync(nats.Server.Url, graph, ct, "--stale-timeout", StaleSeconds);
        await using var two = await StartNodeAsync(nats.Server.Url, graph, ct, "--stale-timeout", "60");
        await one.CallAsync("connect", new { worker_id = "dora" }, ct);
        await one.CallAsync("create", new { id = "glaze", title = "Glaze the tiles" }, ct);
        await one.CallAsync("claim", new { worker_id = "dora", task = "glaze" }, ct);
        await one.KillAsync();

        await two.CallAsync("connect", new { worker_id = "eli" }, ct);
        Assert.Equal("ALREADY_CLAIMED", (await two.CallExpectErrorAsync("claim", new { worker_id = "eli", task = "glaze" }, ct)).Code);
        var claim = await ClaimWhenLeaseExpiresAsync(two, "eli", "glaze", ct);
        Assert.Equal("eli", String(claim.GetProperty("task"), "worker_id"));

        // Taken straight from dora (nobody released it in between), and dora's late write is refused.
        var history = (await two.CallAsync("task_history", new { task = "glaze" }, ct)).GetProperty("history").EnumerateArray().ToList();
        output.WriteLine(string.Join(Environment.NewLine, history.Select(r => r.GetRawText())));
        Assert.Equal([("pending", null), ("working", "dora"), ("working", "eli")], history.Select(r => (String(r, "status"), String(r, "worker_id"))));
        var late = await two.CallExpectErrorAsync("update", new { worker_id = "dora", task = "glaze", status = "completed" }, ct);
        Assert.Contains(late.Code, LateWriteRefusals);
        Assert.Equal("eli", String(await two.CallAsync("get", new { task = "glaze" }, ct), "worker_id"));

        await two.CallAsync("update", new { worker_id = "eli", task = "glaze", status = "completed" }, ct);
        await two.CallAsync("disconnect", new { worker_id = "eli" }, ct);
    }

    [Fact]
    public async Task A_silent_agent_is_evicted_by_a_sweeper_its_tasks_return_to_pending_with_the_reason_and_its_late_write_is_refused()
    {
        var ct = Timeout();
        var graph = NewGraph("sweep");
        await using var one = await StartNodeAsync(nats.Server.Url, graph, ct, "--stale-timeout", StaleSeconds);
        await using var two = await StartNodeAsync(nats.Server.Url, graph, ct, "--stale-timeout", StaleSeconds);
        await one.CallAsync("connect", new { worker_id = "dora" }, ct);
        foreach (var id in new[] { "kiln", "shelf" })
        {
            await one.CallAsync("create", new { id, title = $"Load the {id}" }, ct);
            await one.CallAsync("claim", new { worker_id = "dora", task = id }, ct);
        }

        await one.CallAsync("mark_file", new { agent = "dora", file = "lock:kiln-door" }, ct);

        // dora goes silent. eli, on the other node, heartbeats and gets dora's task without force.
        await two.CallAsync("connect", new { worker_id = "eli" }, ct);
        await ClaimWhenLeaseExpiresAsync(two, "eli", "kiln", ct);

        // A sweeper (either node's) releases the rest of dora's work to pending, says why, and drops her lock.
        await UntilAsync(async () =>
        {
            await two.CallAsync("thinking", new { agent = "eli", thought = "waiting for the shelf" }, ct);
            return String(await two.CallAsync("get", new { task = "shelf" }, ct), "status") == "pending";
        }, "the sweeper released dora's other task", ct);
        var history = (await two.CallAsync("task_history", new { task = "shelf" }, ct)).GetProperty("history").EnumerateArray().ToList();
        output.WriteLine(string.Join(Environment.NewLine, history.Select(r => r.GetRawText())));
        Assert.Equal(["pending", "working", "pending"], history.Select(r => String(r, "status")));
        Assert.Contains("evicted", String(history[2], "reason"), StringComparison.Ordinal);
        Assert.Contains("dora", String(history[2], "reason"), StringComparison.Ordinal);
        await UntilAsync(async () => (await two.CallAsync("list_marks", new { files = new[] { "lock:kiln-door" } }, ct)).GetProperty("marks").GetArrayLength() == 0,
            "dora's lock is released", ct);

        foreach (var node in new[] { one, two })
        {
            var late = await node.CallExpectErrorAsync("update", new { worker_id = "dora", task = "shelf", status = "completed" }, ct);
            Assert.Contains(late.Code, LateWriteRefusals);
        }

        Assert.Equal("pending", String(await one.CallAsync("get", new { task = "shelf" }, ct), "status"));
        Assert.Equal("eli", String(await one.CallAsync("get", new { task = "kiln" }, ct), "worker_id"));
        await two.CallAsync("disconnect", new { worker_id = "eli" }, ct);
    }

    /// <summary>Heartbeats as <paramref name="agent"/> and claims without force until the current owner's lease has passed.</summary>
    private static async Task<System.Text.Json.JsonElement> ClaimWhenLeaseExpiresAsync(NodeProcess node, string agent, string task, CancellationToken ct)
    {
        System.Text.Json.JsonElement claimed = default;
        await UntilAsync(async () =>
        {
            await node.CallAsync("thinking", new { agent, thought = "waiting for " + task }, ct);
            var (isError, body) = await node.CallRawAsync("claim", new { worker_id = agent, task }, ct);
            if (isError)
            {
                Assert.Equal("ALREADY_CLAIMED", String(body, "code"));
                return false;
            }

            claimed = body;
            return true;
        }, $"{agent} claims {task} without force", ct);
        return claimed;
    }
}
