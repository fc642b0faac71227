using TaskGraph.Core.Configuration;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Leases;

namespace TaskGraph.Tests.Rules.Leases;

/// <summary>
/// Liveness lives in the volatile key space (ADR 0005 addendum): 10,000 heartbeats and thoughts by 100 workers on two nodes leave
/// the durable log exactly as long as it was, while the leases they renew still hold on every node past their first
/// deadline; a worker that stops heartbeating is still swept, and a heartbeat after its eviction is refused.
/// </summary>
public abstract class VolatileLivenessTests
{
    private const int StaleSeconds = 60;
    private const int Workers = 100;
    private const int Rounds = 100;

    /// <summary>Where the nodes keep their data.</summary>
    protected abstract RulesBackend Backend { get; }

    [Fact]
    public async Task Ten_thousand_heartbeats_and_thoughts_by_a_hundred_workers_leave_the_durable_log_unchanged_and_keep_every_lease()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var ct = cts.Token;
        var config = new TaskGraphConfig { Server = new ServerSettings { StaleTimeoutSeconds = StaleSeconds } };
        await using var a = await Backend.CreateAsync(config, cancellationToken: ct);
        var nodes = await a.OpenNodesAsync(2, ct);
        try
        {
            var ids = Enumerable.Range(0, Workers).Select(i => $"beat{i}").ToList();
            foreach (var id in ids)
            {
                await a.ConnectAsync(id, ct);
            }

            await a.CreateAsync("held", ct);
            await a.Tasks.ClaimAsync("beat0", "held", false, ct);
            var before = await a.PositionAsync(ct);

            // Each round moves the clock 6 s (so every heartbeat is due) and has every worker heartbeat on either node.
            for (var round = 0; round < Rounds; round++)
            {
                a.Advance(TimeSpan.FromSeconds(6));
                // Half the beats are thoughts (a heartbeat carrying the worker's current thought): volatile as well.
                await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (id, token) =>
                {
                    var node = nodes[(round + id.Length) % 2];
                    if ((round + id[^1]) % 2 == 0)
                    {
                        await node.Workers.ThinkingAsync(id, $"round {round}", null, token);
                    }
                    else
                    {
                        await node.Workers.HeartbeatAsync(id, always: true, token);
                    }
                });
            }

            Assert.Equal(before, await a.PositionAsync(ct));

            // 600 s later, ten leases past the first deadline: alive on both nodes, the claim held, nobody swept.
            var sweep = await nodes[1].Sweeper.SweepAsync(null, null, "sweeper", ct);
            Assert.Empty(sweep.EvictedWorkerIds);
            foreach (var node in nodes)
            {
                Assert.True(Lease.IsAlive((await node.Context.Records.GetWorkerAsync("beat7", ct))?.Value, node.Context.NowMs), "beat7 is alive on every node");
            }

            await nodes[1].ConnectAsync("rival", ct);
            await RulesHarness.FailsAsync(ErrorCodes.AlreadyClaimed, () => nodes[1].Tasks.ClaimAsync("rival", "held", false, ct));
        }
        finally
        {
            await nodes[1].DisposeAsync();
        }
    }

    [Fact]
    public async Task A_silent_worker_is_still_swept_and_its_heartbeat_after_the_eviction_is_refused()
    {
        using var cts = RulesHarness.Timeout();
        var ct = cts.Token;
        var config = new TaskGraphConfig { Server = new ServerSettings { StaleTimeoutSeconds = StaleSeconds } };
        await using var a = await Backend.CreateAsync(config, cancellationToken: ct);
        var nodes = await a.OpenNodesAsync(2, ct);
        try
        {
            await a.ConnectAsync("quiet", ct);
            await a.ConnectAsync("lively", ct);
            await a.CreateAsync("q-task", ct);
            await a.Tasks.ClaimAsync("quiet", "q-task", false, ct);

            // lively heartbeats through the second node; quiet falls silent past its deadline.
            a.Advance(TimeSpan.FromSeconds(StaleSeconds / 2));
            await nodes[1].Workers.HeartbeatAsync("lively", always: true, ct);
            a.Advance(TimeSpan.FromSeconds((StaleSeconds / 2) + 1));

            var sweep = await nodes[1].Sweeper.SweepAsync(null, null, "sweeper", ct);
            Assert.Equal(["quiet"], sweep.EvictedWorkerIds);
            Assert.Null((await a.Tasks.GetAsync("q-task", ct)).Owner);

            var refused = await Assert.ThrowsAsync<TaskGraphException>(() => a.Workers.HeartbeatAsync("quiet", always: true, ct));
            Assert.Contains(refused.Code, new[] { ErrorCodes.AgentNotFound, ErrorCodes.LeaseExpired });

            // A reconnect starts a fresh lease (the eviction mark does not stick to the id).
            await a.Workers.ConnectAsync(new Core.Workers.ConnectRequest { WorkerId = "quiet", Force = true }, ct);
            await a.Workers.HeartbeatAsync("quiet", always: true, ct);
        }
        finally
        {
            await nodes[1].DisposeAsync();
        }
    }
}
