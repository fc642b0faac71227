using System.Collections.Concurrent;
using TaskGraph.Core.Configuration;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Storage;

namespace TaskGraph.Tests.Rules.Claims;

/// <summary>
/// Several nodes (separate store instances on one SQLite file or one NATS graph) racing on the system clock: one owner per task
/// (invariant 1), no claim past unsatisfied blockers (2), no worker over its claim limit (7).
/// </summary>
public abstract class ClaimRaceTests
{
    private const int Nodes = 4;

    /// <summary>Where the nodes keep their data.</summary>
    protected abstract RulesBackend Backend { get; }

    [Fact]
    public async Task Eight_agents_racing_for_forty_tasks_leave_every_task_with_exactly_the_owner_whose_claim_succeeded()
    {
        using var cts = RulesHarness.Timeout();
        await using var first = await Backend.CreateAsync(time: TimeProvider.System, cancellationToken: cts.Token);
        var nodes = await first.OpenNodesAsync(Nodes, cts.Token);
        try
        {
            const int agents = 8;
            const int tasks = 40;
            for (var t = 0; t < tasks; t++)
            {
                await first.CreateAsync($"t{t}", cts.Token);
            }

            for (var a = 0; a < agents; a++)
            {
                await first.ConnectAsync($"agent{a}", cts.Token);
            }

            var won = new ConcurrentDictionary<string, ConcurrentBag<string>>();
            var lost = new ConcurrentBag<string>();
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var racers = Enumerable.Range(0, agents).Select(a => Task.Run(async () =>
            {
                var node = nodes[a % Nodes];
                var agent = $"agent{a}";
                await gate.Task.WaitAsync(cts.Token);
                for (var i = 0; i < tasks; i++)
                {
                    // Each agent starts at a different task so they collide all the way round.
                    var task = $"t{((a * 5) + i) % tasks}";
                    try
                    {
                        await node.Tasks.ClaimAsync(agent, task, false, cts.Token);
                        won.GetOrAdd(agent, _ => []).Add(task);
                    }
                    catch (TaskGraphException ex)
                    {
                        lost.Add(ex.Code);
                    }
                }
            }, cts.Token)).ToList();
            gate.SetResult();
            await Task.WhenAll(racers).WaitAsync(cts.Token);

            Assert.All(lost, code => Assert.True(code is ErrorCodes.AlreadyClaimed or ErrorCodes.ClaimLimitReached, code));
            var owners = new Dictionary<string, string>();
            for (var t = 0; t < tasks; t++)
            {
                var task = await first.TaskAsync($"t{t}", cts.Token);
                Assert.NotNull(task.Owner);
                Assert.Equal("working", task.Status);
                owners[task.Id] = task.Owner;
            }

            var successes = won.SelectMany(kv => kv.Value.Select(task => (Agent: kv.Key, Task: task))).ToList();
            Assert.Equal(tasks, successes.Count);
            Assert.All(successes, s => Assert.Equal(s.Agent, owners[s.Task]));
            for (var a = 0; a < agents; a++)
            {
                var agent = $"agent{a}";
                var owned = owners.Where(kv => kv.Value == agent).Select(kv => kv.Key).Order(StringComparer.Ordinal).ToList();
                Assert.True(owned.Count <= 5, $"{agent} owns {owned.Count}");
                var reserved = (await first.WorkerAsync(agent, cts.Token))!.Claims.Select(c => c.TaskId).Order(StringComparer.Ordinal);
                Assert.Equal(owned, reserved);
            }
        }
        finally
        {
            await RulesHarness.DisposeNodesAsync(nodes);
        }
    }

    [Fact]
    public async Task One_worker_claiming_on_two_nodes_at_once_never_exceeds_its_claim_limit()
    {
        using var cts = RulesHarness.Timeout();
        await using var first = await Backend.CreateAsync(time: TimeProvider.System, cancellationToken: cts.Token);
        await using var second = await first.OpenNodeAsync(cts.Token);
        await first.ConnectAsync("solo", cts.Token);
        for (var t = 0; t < 20; t++)
        {
            await first.CreateAsync($"t{t}", cts.Token);
        }

        var outcomes = await RulesHarness.RaceAsync(20, t => (t % 2 == 0 ? first : second).Tasks.ClaimAsync("solo", $"t{t}", false, cts.Token), cts.Token);

        var owned = new List<string>();
        for (var t = 0; t < 20; t++)
        {
            if ((await first.TaskAsync($"t{t}", cts.Token)).Owner == "solo")
            {
                owned.Add($"t{t}");
            }
        }

        Assert.Equal(5, outcomes.Count(o => o is null));
        Assert.All(outcomes.Where(o => o is not null), code => Assert.Equal(ErrorCodes.ClaimLimitReached, code));
        Assert.Equal(5, owned.Count);
        Assert.Equal(owned.Order(StringComparer.Ordinal), (await first.WorkerAsync("solo", cts.Token))!.Claims.Select(c => c.TaskId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_task_whose_blocker_is_being_raced_over_is_never_claimed_without_force()
    {
        using var cts = RulesHarness.Timeout();
        await using var first = await Backend.CreateAsync(new TaskGraphConfig { Server = new ServerSettings { ClaimLimit = 50 } }, TimeProvider.System, cts.Token);
        var nodes = await first.OpenNodesAsync(Nodes, cts.Token);
        try
        {
            await first.CreateAsync("blocker", cts.Token);
            await first.CreateAsync("blocked", cts.Token);
            await first.LinkAsync("blocker", "blocked", cts.Token);
            for (var a = 0; a < 8; a++)
            {
                await first.ConnectAsync($"agent{a}", cts.Token);
            }

            var codes = new ConcurrentBag<string>();
            var blockerClaims = 0;
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var racers = Enumerable.Range(0, 8).Select(a => Task.Run(async () =>
            {
                var node = nodes[a % Nodes];
                var agent = $"agent{a}";
                await gate.Task.WaitAsync(cts.Token);
                for (var i = 0; i < 15; i++)
                {
                    try
                    {
                        if (a % 2 == 0)
                        {
                            // Blocker racers: take it and hand it back, so it keeps changing but stays blocking.
                            await node.Tasks.ClaimAsync(agent, "blocker", false, cts.Token);
                            Interlocked.Increment(ref blockerClaims);
                            await node.SetStatusAsync(agent, "blocker", "pending", cts.Token);
                        }
                        else
                        {
                            await node.Tasks.ClaimAsync(agent, "blocked", false, cts.Token);
                            codes.Add("CLAIMED");
                        }
                    }
                    catch (TaskGraphException ex)
                    {
                        codes.Add(ex.Code);
                    }
                }
            }, cts.Token)).ToList();
            gate.SetResult();
            await Task.WhenAll(racers).WaitAsync(cts.Token);

            Assert.DoesNotContain("CLAIMED", codes);
            Assert.Equal(60, codes.Count(c => c == ErrorCodes.DependencyNotSatisfied));
            Assert.All(codes.Where(c => c != ErrorCodes.DependencyNotSatisfied), c => Assert.Equal(ErrorCodes.AlreadyClaimed, c));
            Assert.True(blockerClaims > 0);
            var blocked = await first.TaskAsync("blocked", cts.Token);
            Assert.Equal(("pending", null), (blocked.Status, blocked.Owner));
        }
        finally
        {
            await RulesHarness.DisposeNodesAsync(nodes);
        }
    }

    [Fact]
    public async Task Two_nodes_connecting_the_same_worker_id_at_once_register_it_once()
    {
        using var cts = RulesHarness.Timeout();
        await using var first = await Backend.CreateAsync(time: TimeProvider.System, cancellationToken: cts.Token);
        await using var second = await first.OpenNodeAsync(cts.Token);

        for (var round = 0; round < 10; round++)
        {
            var id = $"twin{round}";
            var nodes = new[] { first, second };
            var outcomes = await RulesHarness.RaceAsync(2, n => nodes[n].ConnectAsync(id, cts.Token), cts.Token);

            Assert.Single(outcomes, o => o is null);
            Assert.Single(outcomes, o => o == ErrorCodes.AlreadyExists);
        }

        Assert.Equal(10, (await first.Store.ListAsync(RecordKeys.WorkerPrefix, cts.Token)).Count);
    }
}
