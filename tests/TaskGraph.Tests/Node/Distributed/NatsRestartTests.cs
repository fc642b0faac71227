using TaskGraph.Tests.Nats;
using static TaskGraph.Tests.Node.Distributed.Distributed;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.Distributed;

/// <summary>The single nats-server restarts (same port, same store directory) under a running node.</summary>
public sealed class NatsRestartTests
{
    [Fact]
    public async Task A_node_reconnects_by_itself_after_its_nats_server_restarts_and_serves_the_data_from_before()
    {
        var ct = Timeout();
        await using var server = await NatsServerProcess.StartAsync(ct);
        var graph = NewGraph("restart");
        await using var node = await StartNodeAsync(server.Url, graph, ct);
        await node.CallAsync("connect", new { worker_id = "gus" }, ct);
        await node.CallAsync("create", new { id = "boiler", title = "Bleed the boiler" }, ct);
        await node.CallAsync("claim", new { worker_id = "gus", task = "boiler" }, ct);

        await server.RestartAsync(ct);

        // The first writes may land while the client is still reconnecting: retry those that could not reach the store.
        await CallUntilAnsweredAsync(node, "thinking", new { agent = "gus", thought = "checking the valves" }, ct);
        var done = await CallUntilAnsweredAsync(node, "update", new { worker_id = "gus", task = "boiler", status = "completed" }, ct);
        Assert.Equal("completed", String(done, "status"));
        Assert.Equal(["pending", "working", "completed"],
            (await node.CallAsync("task_history", new { task = "boiler" }, ct)).GetProperty("history").EnumerateArray().Select(r => String(r, "status")));

        // Its watch follows the store again: a task another node writes after the restart shows up here.
        await using var late = await StartNodeAsync(server.Url, graph, ct);
        Assert.Equal("completed", String(await late.CallAsync("get", new { task = "boiler" }, ct), "status"));
        await late.CallAsync("create", new { id = "radiator", title = "Paint the radiator" }, ct);
        await UntilAsync(async () => Ids(await node.CallAsync("list_tasks", new { ready = true }, ct)).Contains("radiator"), "the restarted node sees a task written elsewhere", ct);

        await node.CallAsync("disconnect", new { worker_id = "gus" }, ct);
    }

    [Fact]
    public async Task While_its_nats_server_is_down_a_node_answers_store_unavailable_quickly_and_serves_again_once_it_is_back()
    {
        var ct = Timeout();
        await using var server = await NatsServerProcess.StartAsync(ct);
        await using var node = await StartNodeAsync(server.Url, NewGraph("outage"), ct);
        await node.CallAsync("connect", new { worker_id = "ada" }, ct);
        await node.CallAsync("create", new { id = "lamp", title = "Trim the lamp" }, ct);

        await server.KillAsync();

        // A read and a write each: a typed, retryable refusal within seconds, never a hang or INTERNAL_ERROR.
        foreach (var (tool, args) in new (string, object)[]
        {
            ("list_tasks", new { ready = true }),
            ("claim", new { worker_id = "ada", task = "lamp" }),
        })
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var (isError, body) = await node.CallRawAsync(tool, args, ct);
            Assert.True(isError && String(body, "code") == "STORE_UNAVAILABLE", $"{tool} during the outage answered {body.GetRawText()}");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"{tool} took {clock.Elapsed} to answer STORE_UNAVAILABLE");
            Assert.DoesNotContain("   at ", body.GetRawText());
        }

        await server.RestartAsync(ct);

        var claimed = await CallUntilAnsweredAsync(node, "claim", new { worker_id = "ada", task = "lamp" }, ct);
        var task = claimed.GetProperty("task");
        Assert.Equal(("lamp", "working", "ada"), (String(task, "id"), String(task, "status"), String(task, "worker_id")));
        Assert.Contains("lamp", Ids(await node.CallAsync("list_tasks", new { owner = "ada" }, ct)));
    }
}
