using NATS.Client.Core;
using NATS.Client.JetStream;
using TaskGraph.Bus.KeyValue;
using TaskGraph.Core.Configuration;
using TaskGraph.Tests.Rules;

namespace TaskGraph.Tests.Nats.Invariants;

/// <summary>
/// Invariants 1 and 6 through the services while a node of an R3 cluster dies: the leader of the graph's stream is killed
/// with -9 in the middle of a claim race on three nodes. Nothing is lost or doubled, and claims resume after the election.
/// Runs on its own cluster, since it kills a node.
/// </summary>
public sealed class ClusterNodeKillClaimTests(ITestOutputHelper output)
{
    private const int Agents = 6;
    private const int Tasks = 30;
    private const int KillAfterWins = 8;

    [Fact]
    public async Task Killing_the_stream_leader_during_a_claim_race_on_three_nodes_leaves_every_task_won_exactly_once()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var cluster = await NatsCluster.StartAsync(cts.Token);
        var config = new TaskGraphConfig { Server = new ServerSettings { ClaimLimit = Tasks } };
        await using var first = await RulesHarness.CreateOnNatsAsync(
            node => cluster.UrlsStartingAt(node % cluster.Nodes.Count),
            3,
            config,
            TimeProvider.System,
            o => o with { RequestTimeout = TimeSpan.FromSeconds(2), CasFenceTtl = TimeSpan.FromSeconds(5) },
            cts.Token);
        var nodes = await first.OpenNodesAsync(3, cts.Token);
        try
        {
            for (var t = 0; t < Tasks; t++)
            {
                await first.CreateAsync($"t{t}", cts.Token);
            }

            for (var a = 0; a < Agents; a++)
            {
                await first.ConnectAsync($"agent{a}", cts.Token);
            }

            output.WriteLine($"{clock.ElapsedMilliseconds} ms: set up");
            var victim = await StreamLeaderAsync(cluster, "KV_tg_" + ((NatsRecordStore)first.Store).Graph, cts.Token);
            var race = new ClaimRaceUnderFaults();
            var winsAtKill = 0;
            var killer = Task.Run(async () =>
            {
                while (race.Wins < KillAfterWins)
                {
                    await Task.Delay(2, cts.Token);
                }

                await cluster.Nodes.Single(n => n.Name == victim).KillAsync();
                winsAtKill = race.Wins;
                output.WriteLine($"{clock.ElapsedMilliseconds} ms: killed");
            }, cts.Token);

            await race.RunAsync(Agents, Tasks, a => nodes[a % nodes.Length].Tasks, cts.Token);
            await killer.WaitAsync(cts.Token);
            output.WriteLine($"{clock.ElapsedMilliseconds} ms: race over");

            output.WriteLine($"killed {victim} after {winsAtKill} wins; agents saw {race.Unavailable} STORE_UNAVAILABLE and {race.Conflicts} CONFLICT");
            Assert.True(race.Wins > winsAtKill, $"no claim succeeded after {victim} was killed at {winsAtKill} wins");
            await race.AssertExactlyOnceAsync(nodes[1], Agents, Tasks, cts.Token);
            output.WriteLine($"{clock.ElapsedMilliseconds} ms: checked");
        }
        finally
        {
            await RulesHarness.DisposeNodesAsync(nodes);
        }
    }

    private static async Task<string> StreamLeaderAsync(NatsCluster cluster, string stream, CancellationToken cancellationToken)
    {
        await using var connection = new NatsConnection(new NatsOpts { Url = cluster.Urls, RequestTimeout = TimeSpan.FromSeconds(2) });
        var js = new NatsJSContext(connection);
        var info = await js.GetStreamAsync(stream, cancellationToken: cancellationToken);
        return info.Info.Cluster?.Leader ?? throw new InvalidOperationException($"{stream} has no leader");
    }
}
