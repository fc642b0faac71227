using System.Diagnostics;
using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.JetStream;
using TaskGraph.Core.Configuration;
using TaskGraph.Tests.Node.EndToEnd;
using TaskGraph.Tests.Node.InProcess;

namespace TaskGraph.Tests.Nats.Edge;

/// <summary>
/// Edge sites with real nats-server processes: a hub (JetStream domain "hub") and a leaf node with a domain of its own,
/// whose uplink runs through a relay the tests cut. One node on the hub, one on the leaf (<c>server.nats.domain: hub</c>).
/// </summary>
public sealed class EdgeNodeTests
{
    private static readonly string[] Tables = ["tasks", "dependencies", "task_sequence", "file_locks"];

    [Fact]
    public async Task A_hub_node_and_an_edge_node_serve_one_graph_and_nothing_is_made_in_the_leaf_domain()
    {
        var ct = EndToEnd.Timeout(90);
        await using var edge = await NatsEdge.StartAsync(ct);
        var graph = "edge1" + Guid.NewGuid().ToString("N")[..6];
        await using var hubNode = await InProcessNode.StartNatsAsync(edge.Hub.Url, graph, ct, domain: NatsEdge.HubDomain);
        await using var edgeNode = await InProcessNode.StartNatsAsync(edge.Leaf.Url, graph, ct, domain: NatsEdge.HubDomain);
        Assert.False(hubNode.Graph.IsEdge);
        Assert.True(edgeNode.Graph.IsEdge);

        // The edge node takes the hub's bucket as it is: the leaf's own server count does not make it ask for more replicas.
        var connected = await edgeNode.CallAsync("connect", new { worker_id = "edge-agent" }, ct);
        Assert.Equal(1, connected.GetProperty("store").GetProperty("replicas").GetInt32());
        Assert.False(connected.GetProperty("store").TryGetProperty("warning", out var warning), $"no replica warning at the edge: {warning}");

        await edgeNode.CallAsync("create", new { id = "from-edge", title = "made at the edge site" }, ct);
        await hubNode.CallAsync("create", new { id = "from-hub", title = "made on the hub" }, ct);
        Assert.Equal("made at the edge site", (await hubNode.CallAsync("get", new { task = "from-edge" }, ct)).GetProperty("title").GetString());
        Assert.Equal("made on the hub", (await edgeNode.CallAsync("get", new { task = "from-hub" }, ct)).GetProperty("title").GetString());
        var fromEdge = await edgeNode.CallAsync("get", new { task = "from-hub" }, ct);
        Assert.False(fromEdge.TryGetProperty("stale_since", out _), "a connected edge node's reads are not stale");

        // The leaf's own domain holds no TaskGraph stream: every bucket was made, and is written, on the hub.
        await using var leafClient = new NatsConnection(new NatsOpts { Url = edge.Leaf.Url });
        var names = new List<string>();
        await foreach (var name in new NatsJSContext(leafClient).ListStreamNamesAsync(cancellationToken: ct))
        {
            names.Add(name);
        }

        Assert.Empty(names);
        await using var hubClient = new NatsConnection(new NatsOpts { Url = edge.Hub.Url });
        var hubStream = await new NatsJSContext(hubClient).GetStreamAsync($"KV_tg_{graph}", cancellationToken: ct);
        Assert.True(hubStream.Info.State.Messages >= 2);
    }

    [Fact]
    public async Task A_claim_race_between_agents_on_the_hub_node_and_on_the_edge_node_has_exactly_one_winner_per_task()
    {
        var ct = EndToEnd.Timeout(120);
        await using var edge = await NatsEdge.StartAsync(ct);
        var graph = "edge2" + Guid.NewGuid().ToString("N")[..6];
        var config = new TaskGraphConfig { Server = new ServerSettings { ClaimLimit = 100 } };
        await using var hubNode = await InProcessNode.StartNatsAsync(edge.Hub.Url, graph, ct, config, domain: NatsEdge.HubDomain);
        await using var edgeNode = await InProcessNode.StartNatsAsync(edge.Leaf.Url, graph, ct, config, domain: NatsEdge.HubDomain);
        const int tasks = 12;
        for (var i = 0; i < tasks; i++)
        {
            await hubNode.CallAsync("create", new { id = $"race-{i}", title = $"race {i}" }, ct);
        }

        var agents = new List<(InProcessNode Node, string Id)>();
        for (var a = 0; a < 3; a++)
        {
            agents.Add((hubNode, $"hub-agent-{a}"));
            agents.Add((edgeNode, $"edge-agent-{a}"));
        }

        foreach (var (node, id) in agents)
        {
            await node.CallAsync("connect", new { worker_id = id }, ct);
        }

        // One race per task: all six agents are released together on it, three through each node.
        var wins = new System.Collections.Concurrent.ConcurrentBag<(string Task, string Agent)>();
        for (var i = 0; i < tasks; i++)
        {
            var task = $"race-{i}";
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var racers = agents.Select(agent => Task.Run(
                async () =>
                {
                    await go.Task;
                    var (isError, body) = await agent.Node.CallRawAsync("claim", new { worker_id = agent.Id, task }, ct);
                    if (!isError)
                    {
                        wins.Add((task, agent.Id));
                    }
                    else
                    {
                        var code = body.GetProperty("code").GetString();
                        Assert.True(code is "ALREADY_CLAIMED" or "CONFLICT", $"a lost claim is ALREADY_CLAIMED or CONFLICT, got {body}");
                    }
                },
                ct)).ToList();
            go.SetResult();
            await Task.WhenAll(racers);
        }

        for (var i = 0; i < tasks; i++)
        {
            var winners = wins.Where(w => w.Task == $"race-{i}").Select(w => w.Agent).ToList();
            var winner = Assert.Single(winners);
            await hubNode.Graph.CatchUpAsync(ct);
            await edgeNode.Graph.CatchUpAsync(ct);
            Assert.Equal(winner, (await hubNode.CallAsync("get", new { task = $"race-{i}" }, ct)).GetProperty("worker_id").GetString());
            Assert.Equal(winner, (await edgeNode.CallAsync("get", new { task = $"race-{i}" }, ct)).GetProperty("worker_id").GetString());
        }

    }

    [Fact]
    public async Task With_the_uplink_cut_the_edge_node_reads_stale_refuses_writes_at_once_and_after_it_returns_equals_the_hub()
    {
        var ct = EndToEnd.Timeout(180);
        await using var edge = await NatsEdge.StartAsync(ct);
        var graph = "edge3" + Guid.NewGuid().ToString("N")[..6];

        // A short lease, and a grace for edge workers far longer than the cut: the cut alone must not expire them.
        var config = new TaskGraphConfig { Server = new ServerSettings { StaleTimeoutSeconds = 2, EdgeGraceSeconds = 600 } };
        await using var hubNode = await InProcessNode.StartNatsAsync(edge.Hub.Url, graph, ct, config, domain: NatsEdge.HubDomain);
        await using var edgeNode = await InProcessNode.StartNatsAsync(edge.Leaf.Url, graph, ct, config, domain: NatsEdge.HubDomain);
        for (var i = 0; i < 4; i++)
        {
            await hubNode.CallAsync("create", new { id = $"t{i}", title = $"task {i}" }, ct);
        }

        await edgeNode.CallAsync("connect", new { worker_id = "edge-worker" }, ct);
        await edgeNode.CallAsync("claim", new { worker_id = "edge-worker", task = "t0" }, ct);
        await hubNode.CallAsync("connect", new { worker_id = "hub-worker" }, ct);
        await hubNode.CallAsync("connect", new { worker_id = "hub-silent" }, ct);
        await hubNode.CallAsync("claim", new { worker_id = "hub-silent", task = "t3" }, ct);
        await edgeNode.Graph.CatchUpAsync(ct);

        edge.CutUplink();
        var cutAt = DateTimeOffset.UtcNow;

        // Reads keep answering from the read model and say since when they may be stale.
        var stale = await WaitForStaleAsync(edgeNode, ct);
        var since = DateTimeOffset.Parse(stale.GetProperty("stale_since").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(since <= DateTimeOffset.UtcNow && since >= cutAt.AddSeconds(-5), $"stale_since {since:O} is the last contact before the cut at {cutAt:O}");
        Assert.Equal("edge-worker", stale.GetProperty("worker_id").GetString());
        var listed = await edgeNode.CallAsync("list_tasks", new { }, ct);
        Assert.True(listed.TryGetProperty("stale_since", out _), $"list_tasks carries stale_since while cut off: {listed}");
        Assert.Equal(4, listed.GetProperty("tasks").GetArrayLength());
        var reconnected = await edgeNode.CallAsync("connect", new { worker_id = "edge-worker", force = true }, ct);
        Assert.True(reconnected.TryGetProperty("stale_since", out _), $"a known worker's connect answers, stale, while cut off: {reconnected}");

        // Every write is refused at once with HUB_UNREACHABLE: nothing queued, no timeout.
        var refusals = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var refused = await edgeNode.CallExpectErrorEnvelopeAsync("update", new { worker_id = "edge-worker", task = "t0", title = $"renamed offline {i}" }, ct);
            refusals.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            Assert.Equal("HUB_UNREACHABLE", refused.GetProperty("code").GetString());
            Assert.True(refused.GetProperty("details").TryGetProperty("stale_since", out _));
        }

        refusals.Sort();
        Assert.True(refusals[2] < 100, $"writes are refused within 100 ms while the uplink is down (median {refusals[2]:0.0} ms of {string.Join(", ", refusals.Select(r => r.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)))})");
        Assert.Equal("HUB_UNREACHABLE", (await edgeNode.CallExpectErrorAsync("create", new { id = "offline", title = "never made" }, ct)).Code);

        // The hub goes on meanwhile: its own work, and its sweeper (list_agents evicts) once the 2 s lease has passed.
        await hubNode.CallAsync("claim", new { worker_id = "hub-worker", task = "t1" }, ct);
        await hubNode.CallAsync("update", new { worker_id = "hub-worker", task = "t1", status = "completed" }, ct);
        await hubNode.CallAsync("create", new { id = "t4", title = "made during the cut" }, ct);
        await Task.Delay(TimeSpan.FromSeconds(3), ct);
        var swept = await hubNode.CallAsync("cleanup_stale", new { timeout = 2 }, ct);
        Assert.DoesNotContain("edge-worker", swept.GetRawText(), StringComparison.Ordinal);

        await edge.RestoreUplinkAsync(ct);
        var fresh = await WaitForFreshAsync(edgeNode, "t4", ct);
        Assert.Equal("made during the cut", fresh.GetProperty("title").GetString());

        // Nothing diverged: the edge node's read model equals the hub node's, table by table.
        await hubNode.Graph.CatchUpAsync(ct);
        await edgeNode.Graph.CatchUpAsync(ct);
        Assert.Equal(hubNode.Graph.AppliedPosition, edgeNode.Graph.AppliedPosition);
        foreach (var table in Tables)
        {
            Assert.Equal(await RowsAsync(hubNode, table, ct), await RowsAsync(edgeNode, table, ct));
        }

        // Every transition exactly once: t1 went pending -> working -> completed on the hub, and the edge node says so.
        var history = await edgeNode.CallAsync("task_history", new { task = "t1" }, ct);
        Assert.Equal(["pending", "working", "completed"], history.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("status").GetString()));

        // The hub's sweeper evicted its own silent worker, but the edge worker, silent as long, kept its lease (the grace).
        var t3 = await hubNode.CallAsync("get", new { task = "t3" }, ct);
        Assert.False(t3.TryGetProperty("worker_id", out var silentOwner) && silentOwner.ValueKind == JsonValueKind.String, $"the silent hub worker was evicted: {t3}");
        var t0 = await hubNode.CallAsync("get", new { task = "t0" }, ct);
        Assert.Equal("edge-worker", t0.GetProperty("worker_id").GetString());
        Assert.Equal("task 0", t0.GetProperty("title").GetString());

        // And the edge node writes again.
        await edgeNode.CallAsync("update", new { worker_id = "edge-worker", task = "t0", status = "completed" }, ct);
        Assert.Equal("completed", (await hubNode.CallAsync("get", new { task = "t0" }, ct)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task With_the_hub_killed_the_edge_node_reads_stale_refuses_writes_and_catches_up_when_it_returns()
    {
        var ct = EndToEnd.Timeout(180);
        await using var edge = await NatsEdge.StartAsync(ct);
        var graph = "edge4" + Guid.NewGuid().ToString("N")[..6];
        await using var hubNode = await InProcessNode.StartNatsAsync(edge.Hub.Url, graph, ct, domain: NatsEdge.HubDomain);
        await using var edgeNode = await InProcessNode.StartNatsAsync(edge.Leaf.Url, graph, ct, domain: NatsEdge.HubDomain);
        for (var i = 0; i < 3; i++)
        {
            await edgeNode.CallAsync("create", new { id = $"t{i}", title = $"task {i}" }, ct);
        }

        await edgeNode.CallAsync("connect", new { worker_id = "edge-worker" }, ct);
        await edgeNode.CallAsync("claim", new { worker_id = "edge-worker", task = "t0" }, ct);

        await edge.KillHubAsync();
        var stale = await WaitForStaleAsync(edgeNode, ct);
        Assert.Equal("edge-worker", stale.GetProperty("worker_id").GetString());
        var started = Stopwatch.GetTimestamp();
        Assert.Equal("HUB_UNREACHABLE", (await edgeNode.CallExpectErrorAsync("update", new { worker_id = "edge-worker", task = "t0", status = "completed" }, ct)).Code);
        var refusedIn = Stopwatch.GetElapsedTime(started);
        Assert.True(refusedIn < TimeSpan.FromSeconds(1), $"refused at once, not after a timeout ({refusedIn.TotalMilliseconds:0} ms)");

        await edge.RestartHubAsync(ct);

        // The hub node reconnects by itself; what it writes now reaches the edge node, and the edge node writes again.
        await RetryAsync(() => hubNode.CallAsync("create", new { id = "after", title = "after the outage" }, ct), ct);
        Assert.Equal("after the outage", (await WaitForFreshAsync(edgeNode, "after", ct)).GetProperty("title").GetString());
        await edgeNode.CallAsync("update", new { worker_id = "edge-worker", task = "t0", status = "completed" }, ct);
        await hubNode.Graph.CatchUpAsync(ct);
        await edgeNode.Graph.CatchUpAsync(ct);
        foreach (var table in Tables)
        {
            Assert.Equal(await RowsAsync(hubNode, table, ct), await RowsAsync(edgeNode, table, ct));
        }

        var history = await hubNode.CallAsync("task_history", new { task = "t0" }, ct);
        Assert.Equal(["pending", "working", "completed"], history.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("status").GetString()));
    }

    private static async Task RetryAsync(Func<Task> call, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                await call();
                return;
            }
            catch (InvalidOperationException) when (DateTime.UtcNow < deadline)
            {
                // STORE_UNAVAILABLE while the hub node reconnects and JetStream recovers its streams.
                await Task.Delay(200, ct);
            }
        }
    }

    private static async Task<JsonElement> WaitForStaleAsync(InProcessNode node, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var (isError, body) = await node.CallRawAsync("get", new { task = "t0" }, ct);
            Assert.False(isError, $"reads answer while the uplink is down: {body}");
            if (body.TryGetProperty("stale_since", out _))
            {
                return body;
            }

            Assert.True(DateTime.UtcNow < deadline, "the edge node did not notice the cut uplink within 15 s");
            await Task.Delay(50, ct);
        }
    }

    private static async Task<JsonElement> WaitForFreshAsync(InProcessNode node, string task, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var (isError, body) = await node.CallRawAsync("get", new { task }, ct);
            if (!isError && !body.TryGetProperty("stale_since", out _))
            {
                return body;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the edge node did not catch up within 30 s after the uplink returned: {body}");
            await Task.Delay(100, ct);
        }
    }

    private static async Task<string> RowsAsync(InProcessNode node, string table, CancellationToken ct) =>
        (await node.CallAsync("query", new { sql = $"SELECT * FROM {table} ORDER BY 1, 2", format = "json", limit = 1000 }, ct)).GetRawText();
}
