using System.Collections.Concurrent;
using NATS.Client.Core;
using NATS.Client.JetStream;
using TaskGraph.Bus.KeyValue;
using TaskGraph.Tests.Nats;
using TaskGraph.Tests.Node.Hosting;
using static TaskGraph.Tests.Node.Distributed.Distributed;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.Distributed;

/// <summary>Two executables on a 3-node cluster with R3 buckets while the NATS node one of them talks to is killed with -9.</summary>
public sealed class ClusterFailoverTests(ITestOutputHelper output)
{
    private const int Tasks = 16;
    private static readonly HashSet<string> Losses = ["ALREADY_CLAIMED", "INVALID_STATE", "CONFLICT", "STORE_UNAVAILABLE", "CLAIM_LIMIT_REACHED"];

    [Fact]
    public async Task Claims_through_two_nodes_continue_after_a_nats_node_is_killed_and_no_task_is_won_twice()
    {
        var ct = Timeout(90);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var cluster = await NatsCluster.StartAsync(ct);
        var graph = NewGraph("r3");
        var config = Path.Combine(cluster.Nodes[0].Directory, "taskgraph-r3.yaml");
        await File.WriteAllTextAsync(config, "server:\n  nats:\n    replicas: 3\n", ct);
        await using var one = await StartNodeAsync(cluster.UrlsStartingAt(0), graph, ct, "--config", config);
        await using var two = await StartNodeAsync(cluster.UrlsStartingAt(1), graph, ct, "--config", config);
        await AssertReplicatedAsync(cluster, graph, ct);
        output.WriteLine($"{clock.Elapsed}: cluster and both nodes up");

        var ids = Enumerable.Range(1, Tasks).Select(i => $"crate-{i:D2}").ToList();
        foreach (var id in ids)
        {
            await one.CallAsync("create", new { id, title = $"Unload {id}", tags = new[] { "dock" } }, ct);
        }

        await UntilAsync(async () => Ids(await two.CallAsync("list_tasks", new { ready = true, limit = 100 }, ct)).Count == Tasks, "node two sees every crate", ct);
        var hal = await one.CallAsync("connect", new { worker_id = "hal" }, ct);
        await two.CallAsync("connect", new { worker_id = "ida" }, ct);

        // connect tells the agent what the graph stands on, and that 2.9 replicas can diverge after a crash.
        var store = hal.GetProperty("store");
        Assert.Equal(("nats", 3), (String(store, "kind"), store.GetProperty("replicas").GetInt32()));
        if (cluster.Nodes[0].ServerVersion < new Version(2, 10))
        {
            Assert.Contains("older than 2.10", String(store, "warning"), StringComparison.Ordinal);
        }
        else
        {
            Assert.False(store.TryGetProperty("warning", out _), store.GetRawText());
        }

        // Both agents race for the same crates; once a quarter are done, the NATS node that node one talks to dies.
        var wins = new ConcurrentBag<(string Task, string Agent)>();
        var victim = ConnectedServer(one, cluster);
        var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var killer = Task.Run(async () =>
        {
            await UntilAsync(() => Task.FromResult(wins.Count >= Tasks / 4), "a quarter of the crates are won", ct);
            output.WriteLine($"{clock.Elapsed}: killing {victim.Name} ({victim.Url}) after {wins.Count} wins");
            await victim.KillAsync();
            killed.SetResult();
        }, ct);
        await Task.WhenAll(RaceAsync(one, "hal", wins, killed.Task, ct), RaceAsync(two, "ida", wins, killed.Task, ct), killer).WaitAsync(ct);
        output.WriteLine($"{clock.Elapsed}: wins: {string.Join(", ", wins.GroupBy(w => w.Agent).OrderBy(g => g.Key).Select(g => $"{g.Key}={g.Count()}"))}");

        // Every crate was won exactly once, and each node, after the election, tells the same story.
        Assert.Equal(ids, wins.Select(w => w.Task).Order(StringComparer.Ordinal));
        var winners = wins.ToDictionary(w => w.Task, w => w.Agent);
        foreach (var node in new[] { one, two })
        {
            await UntilAsync(async () => Ids(await node.CallAsync("list_tasks", new { status = "completed", limit = 100 }, ct)).Count == Tasks, "every crate shows completed", ct);
            foreach (var id in ids)
            {
                var history = (await node.CallAsync("task_history", new { task = id }, ct)).GetProperty("history").EnumerateArray().ToList();
                Assert.Equal(["pending", "working", "completed"], history.Select(r => String(r, "status")));
                Assert.Equal(winners[id], String(history[1], "worker_id"));
            }
        }

        // Both still serve writes, and each follows the other's.
        await CallUntilAnsweredAsync(one, "create", new { id = "after-one", title = "Made on one after the kill" }, ct);
        await CallUntilAnsweredAsync(two, "create", new { id = "after-two", title = "Made on two after the kill" }, ct);
        await UntilAsync(async () => Ids(await one.CallAsync("list_tasks", new { ready = true }, ct)).Contains("after-two"), "node one sees node two's new task", ct);
        await UntilAsync(async () => Ids(await two.CallAsync("list_tasks", new { ready = true }, ct)).Contains("after-one"), "node two sees node one's new task", ct);
    }

    /// <summary>
    /// Claims and completes ready crates until all are completed and the kill has happened. A call that got no answer from
    /// the store may still have landed, and in a cluster a record stays fenced until such a write can no longer land; so
    /// the agent's own tasks (list_tasks owner=agent) are the truth about what it won, and a completion that did not go
    /// through is tried again on the next round while the agent goes on claiming. Known (nats-server 2.9): with a node
    /// down, about one list in four times out because its R1 read consumer is placed on the dead peer, so a completion
    /// that did land can still answer STORE_UNAVAILABLE; the next round then finds the task no longer owned.
    /// </summary>
    private static async Task RaceAsync(NodeProcess node, string agent, ConcurrentBag<(string, string)> wins, Task killed, CancellationToken ct)
    {
        var won = new HashSet<string>(StringComparer.Ordinal);
        async Task CompleteAsync(string id)
        {
            if (won.Add(id))
            {
                wins.Add((id, agent));
            }

            var (isError, body) = await node.CallRawAsync("update", new { worker_id = agent, task = id, status = "completed" }, ct);
            Assert.True(!isError || String(body, "code") is "STORE_UNAVAILABLE" or "CONFLICT", $"completing {id} by {agent} failed: {body.GetRawText()}");
        }

        while (true)
        {
            foreach (var id in Ids(await node.CallAsync("list_tasks", new { owner = agent, limit = 100 }, ct)))
            {
                await CompleteAsync(id);
            }

            var completed = Ids(await node.CallAsync("list_tasks", new { status = "completed", tags_all = new[] { "dock" }, limit = 100 }, ct)).Count;
            if (completed == Tasks && killed.IsCompleted)
            {
                return;
            }

            var ready = Ids(await node.CallAsync("list_tasks", new { ready = true, tags_all = new[] { "dock" }, limit = 100 }, ct));
            if (ready.Count == 0)
            {
                // The other agent holds the rest, or a write of ours is still unresolved: look again shortly.
                await Task.Delay(TimeSpan.FromMilliseconds(50), ct);
                continue;
            }

            foreach (var id in ready)
            {
                var (isError, body) = await node.CallRawAsync("claim", new { worker_id = agent, task = id }, ct);
                if (isError)
                {
                    var code = String(body, "code") ?? string.Empty;
                    Assert.True(Losses.Contains(code), $"claim of {id} by {agent} failed: {body.GetRawText()}");
                    continue;
                }

                await CompleteAsync(id);
            }
        }
    }

    /// <summary>The cluster node a taskgraph process is connected to, from the connection it logged last.</summary>
    private static NatsServerProcess ConnectedServer(NodeProcess node, NatsCluster cluster)
    {
        var opened = node.Stderr.LastOrDefault(l => l.Contains(" opened: nats://", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("the node logged no NATS connection:\n" + string.Join('\n', node.Stderr));
        return cluster.Nodes.Single(n => opened.EndsWith(n.Url, StringComparison.Ordinal));
    }

    private static async Task AssertReplicatedAsync(NatsCluster cluster, string graph, CancellationToken ct)
    {
        await using var connection = new NatsConnection(new NatsOpts { Url = cluster.Urls });
        var stream = await new NatsJSContext(connection).GetStreamAsync(NatsStoreNames.For(graph).KvStream, cancellationToken: ct);
        Assert.Equal(3, stream.Info.Config.NumReplicas);
    }
}
