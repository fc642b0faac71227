using TaskGraph.Core.Configuration;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Leases;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;

namespace TaskGraph.Tests.Rules.Leases;

/// <summary>
/// Leases across nodes on one fake clock: past a dead agent's deadline, an agent on another node takes its task without
/// force, sweepers on every node at once release the rest exactly once (one evict row each), and the dead agent's late
/// writes are refused.
/// </summary>
public abstract class LeaseExpiryAcrossNodesTests
{
    private const int StaleSeconds = 60;
    private static readonly string[] Refused = [ErrorCodes.LeaseExpired, ErrorCodes.NotOwner, ErrorCodes.AgentNotFound];

    /// <summary>Where the nodes keep their data.</summary>
    protected abstract RulesBackend Backend { get; }

    [Fact]
    public async Task A_dead_agents_work_is_taken_over_on_another_node_and_swept_once_by_sweepers_on_three_nodes_at_once()
    {
        using var cts = RulesHarness.Timeout();
        var config = new TaskGraphConfig { Server = new ServerSettings { StaleTimeoutSeconds = StaleSeconds } };
        await using var a = await Backend.CreateAsync(config, cancellationToken: cts.Token);
        var nodes = await a.OpenNodesAsync(3, cts.Token);
        var (b, c) = (nodes[1], nodes[2]);
        try
        {
            // Three agents on node A claim two tasks each and hold marks; then they fall silent.
            string[] dead = ["dead0", "dead1", "dead2"];
            for (var d = 0; d < dead.Length; d++)
            {
                await a.ConnectAsync(dead[d], cts.Token);
                foreach (var task in new[] { $"d{d}x", $"d{d}y" })
                {
                    await a.CreateAsync(task, cts.Token);
                    await a.Tasks.ClaimAsync(dead[d], task, false, cts.Token);
                }

                await a.Marks.MarkAsync(dead[d], [$"src/file{d}.cs", $"lock:deploy{d}"], $"d{d}x", null, cts.Token);
            }

            a.Advance(TimeSpan.FromSeconds(StaleSeconds - 1));
            await b.ConnectAsync("eager", cts.Token);
            await b.FailsCleanlyAsync(ErrorCodes.AlreadyClaimed, () => b.Tasks.ClaimAsync("eager", "d0x", false, cts.Token), cts.Token);

            // Past the lease: node B takes d0x over without force.
            a.Advance(TimeSpan.FromSeconds(2));
            await b.Workers.HeartbeatAsync("eager", always: true, cts.Token);
            var taken = await b.Tasks.ClaimAsync("eager", "d0x", false, cts.Token);
            Assert.Equal("eager", taken.Task.Owner);

            // Every node sweeps at once.
            var sweeps = new EvictionResult?[3];
            var outcomes = await RulesHarness.RaceAsync(3, async n => sweeps[n] = await nodes[n].Sweeper.SweepAsync(null, null, $"node{n}", cts.Token), cts.Token);
            Assert.All(outcomes, o => Assert.Null(o));
            Assert.Equal(dead.Order(StringComparer.Ordinal), sweeps.SelectMany(s => s!.EvictedWorkerIds).Order(StringComparer.Ordinal));
            Assert.Equal(5, sweeps.Sum(s => s!.TasksReleased));
            Assert.Equal(6, sweeps.Sum(s => s!.FilesReleased));

            // Each released task has exactly one evict revision, and is back in the disconnect state without owner.
            foreach (var task in new[] { "d0y", "d1x", "d1y", "d2x", "d2y" })
            {
                var history = await c.Store.HistoryAsync(RecordKeys.Task(task), 0, cts.Token);
                var evictions = history.Select(h => RecordJson.Deserialize<TaskRecord>(h.Value)).Where(r => r.Change?.Kind == "evict").ToList();
                var eviction = Assert.Single(evictions);
                Assert.Equal(("working", "pending", null), (eviction.Change!.FromStatus, eviction.Status, eviction.Owner));
                Assert.Contains("evicted", eviction.Change.Reason, StringComparison.Ordinal);
                Assert.Equal(("pending", null), ((await c.TaskAsync(task, cts.Token)).Status, (await c.TaskAsync(task, cts.Token)).Owner));
            }

            Assert.DoesNotContain(
                (await c.Store.HistoryAsync(RecordKeys.Task("d0x"), 0, cts.Token)).Select(h => RecordJson.Deserialize<TaskRecord>(h.Value)),
                r => r.Change?.Kind == "evict");
            Assert.Equal(("working", "eager"), ((await c.TaskAsync("d0x", cts.Token)).Status, (await c.TaskAsync("d0x", cts.Token)).Owner));
            Assert.Empty(await c.Store.ListAsync(RecordKeys.MarkPrefix, cts.Token));
            Assert.Equal(["eager"], (await c.Store.ListAsync(RecordKeys.WorkerPrefix, cts.Token)).Select(e => RecordJson.Deserialize<WorkerRecord>(e.Value).Id));

            // The dead agents' late writes are refused and change nothing.
            await a.FailsCleanlyAsync(ErrorCodes.AgentNotFound, () => a.SetStatusAsync("dead0", "d0x", "completed", cts.Token), cts.Token);
            var late = await Assert.ThrowsAsync<TaskGraphException>(() => a.SetStatusAsync("dead1", "d1x", "completed", cts.Token));
            Assert.Contains(late.Code, Refused);
            await a.FailsCleanlyAsync(ErrorCodes.AgentNotFound, () => a.Workers.ThinkingAsync("dead2", "still here", null, cts.Token), cts.Token);

            // A second round of sweeping finds nothing more to do.
            var again = await c.Sweeper.SweepAsync(null, null, "node2", cts.Token);
            Assert.Equal((0, 0, 0), (again.EvictedWorkerIds.Count, again.TasksReleased, again.FilesReleased));
        }
        finally
        {
            await RulesHarness.DisposeNodesAsync(nodes);
        }
    }

    [Fact]
    public async Task A_dead_agents_late_write_after_the_lease_but_before_any_sweep_is_refused_as_lease_expired()
    {
        using var cts = RulesHarness.Timeout();
        var config = new TaskGraphConfig { Server = new ServerSettings { StaleTimeoutSeconds = StaleSeconds } };
        await using var a = await Backend.CreateAsync(config, cancellationToken: cts.Token);
        await using var b = await a.OpenNodeAsync(cts.Token);
        await a.ConnectAsync("sleepy", cts.Token);
        await a.CreateAsync("t", cts.Token);
        await a.Tasks.ClaimAsync("sleepy", "t", false, cts.Token);
        a.Advance(TimeSpan.FromSeconds(StaleSeconds + 1));
        await b.ConnectAsync("eager", cts.Token);
        await b.Tasks.ClaimAsync("eager", "t", false, cts.Token);

        await a.FailsCleanlyAsync(ErrorCodes.LeaseExpired, () => a.SetStatusAsync("sleepy", "t", "completed", cts.Token), cts.Token);
        await a.FailsCleanlyAsync(ErrorCodes.LeaseExpired, () => a.Tasks.ClaimAsync("sleepy", "t", false, cts.Token), cts.Token);
        Assert.Equal(("working", "eager"), ((await b.TaskAsync("t", cts.Token)).Status, (await b.TaskAsync("t", cts.Token)).Owner));
    }
}
