using System.Collections.Concurrent;
using TaskGraph.Tests.Node.Hosting;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.EndToEnd;

/// <summary>
/// Two node processes on one SQLite file. Each test leaves nothing ready behind, so the race always starts from its own
/// 40 tasks whichever test runs first.
/// </summary>
public sealed class TwoProcessRaceTests(SharedDbNodesFixture nodes, ITestOutputHelper output) : IClassFixture<SharedDbNodesFixture>
{
    private static readonly HashSet<string> AcceptableLosses = ["ALREADY_CLAIMED", "CLAIM_LIMIT_REACHED", "INVALID_STATE"];

    [Fact]
    public async Task A_task_created_through_one_process_is_visible_and_claimable_through_the_other()
    {
        var ct = Timeout();
        await nodes.A.CallAsync("connect", new { worker_id = "cross-a" }, ct);
        await nodes.B.CallAsync("connect", new { worker_id = "cross-b" }, ct);
        await nodes.A.CallAsync("create", new { id = "cross-task", title = "Made on A", description = "created through process A" }, ct);

        // B's read model follows A's write from the shared change log.
        await UntilAsync(async () => Ids(await nodes.B.CallAsync("list_tasks", new { ready = true }, ct)).Contains("cross-task"), "B lists A's task as ready", ct);
        Assert.Equal("cross-task", String(Assert.Single((await nodes.B.CallAsync("search", new { query = "process" }, ct)).GetProperty("results").EnumerateArray()), "task_id"));

        var claim = await nodes.B.CallAsync("claim", new { worker_id = "cross-b", task = "cross-task" }, ct);
        Assert.Equal("cross-b", String(claim.GetProperty("task"), "worker_id"));

        // ...and A sees B's claim: its own agent is refused, and the owner shows.
        Assert.Equal("ALREADY_CLAIMED", (await nodes.A.CallExpectErrorAsync("claim", new { worker_id = "cross-a", task = "cross-task" }, ct)).Code);
        await UntilAsync(async () => String(await nodes.A.CallAsync("get", new { task = "cross-task" }, ct), "worker_id") == "cross-b", "A shows B's claim", ct);

        await nodes.B.CallAsync("update", new { worker_id = "cross-b", task = "cross-task", status = "completed" }, ct);
        await UntilAsync(async () => Ids(await nodes.A.CallAsync("list_tasks", new { status = "completed" }, ct)).Contains("cross-task"), "A sees the completion", ct);
        var history = await nodes.A.CallAsync("task_history", new { task = "cross-task" }, ct);
        Assert.Equal(["pending", "working", "completed"], history.GetProperty("history").EnumerateArray().Select(r => String(r, "status")));

        await nodes.A.CallAsync("disconnect", new { worker_id = "cross-a" }, ct);
        await nodes.B.CallAsync("disconnect", new { worker_id = "cross-b" }, ct);
    }

    [Fact]
    public async Task Four_agents_on_two_processes_racing_for_40_tasks_win_every_task_exactly_once()
    {
        var ct = Timeout(90);
        var ids = Enumerable.Range(1, 40).Select(i => $"race-{i:D2}").ToList();
        foreach (var id in ids)
        {
            await nodes.A.CallAsync("create", new { id, title = $"Race task {id}", tags = new[] { "race" } }, ct);
        }

        // Both processes must see all 40 before the start, so every agent races for the same tasks.
        await UntilAsync(async () => Ids(await nodes.B.CallAsync("list_tasks", new { ready = true, limit = 1000 }, ct)).Count(id => id.StartsWith("race-", StringComparison.Ordinal)) == 40,
            "B sees the 40 race tasks as ready", ct);

        // Two agents per process; a stdio process has exactly one MCP client, so the two agents of a process send
        // their calls concurrently over that one connection.
        (NodeProcess Node, string Agent)[] agents = [(nodes.A, "racer-a1"), (nodes.A, "racer-a2"), (nodes.B, "racer-b1"), (nodes.B, "racer-b2")];
        foreach (var (node, agent) in agents)
        {
            await node.CallAsync("connect", new { worker_id = agent }, ct);
        }

        var wins = new ConcurrentBag<(string Task, string Agent)>();
        var losses = new ConcurrentBag<(string Task, string Agent, string Code)>();
        using var start = new SemaphoreSlim(0, agents.Length);
        var runs = agents.Select(a => Task.Run(async () =>
        {
            await start.WaitAsync(ct);
            await RaceAsync(a.Node, a.Agent, wins, losses, ct);
        }, ct)).ToList();
        start.Release(agents.Length);
        await Task.WhenAll(runs).WaitAsync(ct);

        output.WriteLine($"wins by agent: {string.Join(", ", wins.GroupBy(w => w.Agent).OrderBy(g => g.Key).Select(g => $"{g.Key}={g.Count()}"))}");
        output.WriteLine($"losses by code: {string.Join(", ", losses.GroupBy(l => l.Code).OrderBy(g => g.Key).Select(g => $"{g.Key}={g.Count()}"))}");

        // Every task won exactly once, by one agent.
        var won = wins.Select(w => w.Task).ToList();
        Assert.Equal(ids, won.Order(StringComparer.Ordinal));
        Assert.All(losses, l => Assert.Contains(l.Code, AcceptableLosses));

        // History agrees, as read through either process once it has followed the log.
        var winners = wins.ToDictionary(w => w.Task, w => w.Agent);
        foreach (var node in new[] { nodes.A, nodes.B })
        {
            await UntilAsync(async () => Ids(await node.CallAsync("list_tasks", new { status = "completed", tags_all = new[] { "race" }, limit = 1000 }, ct)).Count == 40,
                "all 40 race tasks show completed", ct);
            foreach (var id in ids)
            {
                var history = await node.CallAsync("task_history", new { task = id }, ct);
                var working = history.GetProperty("history").EnumerateArray().Where(r => String(r, "status") == "working").ToList();
                Assert.Equal(winners[id], String(Assert.Single(working), "worker_id"));
            }
        }

        foreach (var (node, agent) in agents)
        {
            await node.CallAsync("disconnect", new { worker_id = agent }, ct);
        }
    }

    [Fact]
    public async Task Two_processes_linking_opposite_directions_at_once_never_make_a_cycle()
    {
        var ct = Timeout();
        var pairs = Enumerable.Range(1, 10).Select(i => (From: $"cyc-{i:D2}-a", To: $"cyc-{i:D2}-b")).ToList();
        foreach (var (from, to) in pairs)
        {
            await nodes.A.CallAsync("create", new { id = from, title = from, tags = new[] { "cycle-race" } }, ct);
            await nodes.A.CallAsync("create", new { id = to, title = to, tags = new[] { "cycle-race" } }, ct);
        }

        await UntilAsync(async () => Ids(await nodes.B.CallAsync("list_tasks", new { tags_all = new[] { "cycle-race" }, limit = 1000 }, ct)).Count == 20,
            "B sees the 20 cycle-race tasks", ct);

        var attempts = pairs.SelectMany(p => new[]
        {
            (Pair: p, Forward: true, Call: nodes.A.CallRawAsync("link", new { from = p.From, to = p.To, type = "blocks" }, ct)),
            (Pair: p, Forward: false, Call: nodes.B.CallRawAsync("link", new { from = p.To, to = p.From, type = "blocks" }, ct)),
        }).ToList();
        await System.Threading.Tasks.Task.WhenAll(attempts.Select(a => a.Call)).WaitAsync(ct);
        output.WriteLine($"link outcomes: {string.Join(", ", attempts.GroupBy(a => a.Call.Result.IsError ? String(a.Call.Result.Body, "code") : "linked").OrderBy(g => g.Key).Select(g => $"{g.Key}={g.Count()}"))}");

        foreach (var pair in pairs)
        {
            var results = attempts.Where(a => a.Pair == pair).Select(a => (a.Forward, Result: a.Call.Result)).ToList();
            Assert.True(results.Count(r => !r.Result.IsError) <= 1, $"both directions of {pair} were linked");
            Assert.All(results.Where(r => r.Result.IsError), r => Assert.Contains(String(r.Result.Body, "code"), new[] { "DEPENDENCY_CYCLE", "CONFLICT" }));

            // The store holds at most one of the two edges, whichever process reads it.
            foreach (var node in new[] { nodes.A, nodes.B })
            {
                var linked = results.Where(r => !r.Result.IsError).Select(r => r.Forward).ToList();
                var expectedAfter = linked is [true] ? new[] { pair.To } : [];
                var expectedBefore = linked is [false] ? new[] { pair.To } : [];
                await UntilAsync(async () =>
                {
                    var scan = await node.CallAsync("scan", new { task = pair.From, before = 1, after = 1 }, ct);
                    return scan.GetProperty("after").EnumerateArray().Select(t => String(t, "id")).SequenceEqual(expectedAfter)
                        && scan.GetProperty("before").EnumerateArray().Select(t => String(t, "id")).SequenceEqual(expectedBefore);
                }, $"both processes show at most one edge between {pair.From} and {pair.To}", ct);
            }
        }

        // Leave nothing ready behind for the other tests of the class.
        await nodes.A.CallAsync("connect", new { worker_id = "cycle-cleaner", force = true }, ct);
        foreach (var id in pairs.SelectMany(p => new[] { p.From, p.To }))
        {
            await nodes.A.CallAsync("delete", new { worker_id = "cycle-cleaner", task = id }, ct);
        }

        await nodes.A.CallAsync("disconnect", new { worker_id = "cycle-cleaner" }, ct);
    }

    [Fact]
    public async Task Agents_on_two_processes_marking_the_same_lock_at_once_leave_exactly_one_holder()
    {
        var ct = Timeout();
        await nodes.A.CallAsync("connect", new { worker_id = "locker-a", force = true }, ct);
        await nodes.B.CallAsync("connect", new { worker_id = "locker-b", force = true }, ct);
        var locks = Enumerable.Range(1, 10).Select(i => $"lock:shared-{i:D2}").ToList();

        var attempts = locks.SelectMany(l => new[]
        {
            (Lock: l, Agent: "locker-a", Call: nodes.A.CallRawAsync("mark_file", new { agent = "locker-a", file = l }, ct)),
            (Lock: l, Agent: "locker-b", Call: nodes.B.CallRawAsync("mark_file", new { agent = "locker-b", file = l }, ct)),
        }).ToList();
        await System.Threading.Tasks.Task.WhenAll(attempts.Select(a => a.Call)).WaitAsync(ct);

        foreach (var l in locks)
        {
            var results = attempts.Where(a => a.Lock == l).ToList();
            var winner = Assert.Single(results, r => !r.Call.Result.IsError).Agent;
            var loser = Assert.Single(results, r => r.Call.Result.IsError);
            Assert.Equal("LOCK_CONFLICT", String(loser.Call.Result.Body, "code"));
            foreach (var node in new[] { nodes.A, nodes.B })
            {
                await UntilAsync(async () =>
                {
                    var marks = (await node.CallAsync("list_marks", new { files = new[] { l } }, ct)).GetProperty("marks").EnumerateArray().ToList();
                    return marks.Count == 1 && String(marks[0], "agent") == winner;
                }, $"both processes show {winner} as the only holder of {l}", ct);
            }
        }

        await nodes.A.CallAsync("disconnect", new { worker_id = "locker-a" }, ct);
        await nodes.B.CallAsync("disconnect", new { worker_id = "locker-b" }, ct);
    }

    [Fact]
    public async Task A_completion_acknowledged_through_one_process_is_in_the_very_next_listing_through_the_other()
    {
        var ct = Timeout(120);
        const int Rounds = 40;
        var ids = Enumerable.Range(1, Rounds).Select(i => $"fresh-{i:D2}").ToList();
        foreach (var id in ids)
        {
            await nodes.A.CallAsync("create", new { id, title = $"Fresh read task {id}", tags = new[] { "fresh-read" } }, ct);
        }

        await nodes.B.CallAsync("connect", new { worker_id = "fresh-finisher", force = true }, ct);
        var completed = new List<string>();
        foreach (var id in ids)
        {
            // Claim and complete through B (its writes read the store itself), then list through A at once: A must
            // answer with every completion acknowledged so far, without any waiting on the test's side.
            await nodes.B.CallAsync("claim", new { worker_id = "fresh-finisher", task = id }, ct);
            await nodes.B.CallAsync("update", new { worker_id = "fresh-finisher", task = id, status = "completed" }, ct);
            completed.Add(id);
            var listed = Ids(await nodes.A.CallAsync("list_tasks", new { status = "completed", tags_all = new[] { "fresh-read" }, limit = 1000 }, ct));
            Assert.True(
                completed.All(listed.Contains),
                $"after {completed.Count} acknowledged completions through B, A listed {listed.Count}; missing: {string.Join(", ", completed.Except(listed))}");
        }

        await nodes.B.CallAsync("disconnect", new { worker_id = "fresh-finisher" }, ct);
    }

    private static async Task RaceAsync(
        NodeProcess node, string agent, ConcurrentBag<(string, string)> wins, ConcurrentBag<(string, string, string)> losses, CancellationToken ct)
    {
        while (true)
        {
            var ready = Ids(await node.CallAsync("list_tasks", new { ready = true, tags_all = new[] { "race" }, limit = 1000 }, ct));
            if (ready.Count == 0)
            {
                return;
            }

            // Everyone goes for the head of the list, so most claims collide.
            foreach (var id in ready)
            {
                var (isError, body) = await node.CallRawAsync("claim", new { worker_id = agent, task = id }, ct);
                if (isError)
                {
                    losses.Add((id, agent, String(body, "code")!));
                    continue;
                }

                Assert.Equal(agent, String(body.GetProperty("task"), "worker_id"));
                wins.Add((id, agent));
                await node.CallAsync("update", new { worker_id = agent, task = id, status = "completed" }, ct);
            }
        }
    }
}
