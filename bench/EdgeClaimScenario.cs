using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using TaskGraph.Bus.Connection;
using TaskGraph.Bus.KeyValue;

namespace TaskGraph.Bench;

/// <summary>
/// The extra hop of an edge site: a claim+release cycle through the rules on an edge node (connected to a leaf node with
/// its own JetStream domain, every read and write crossing to the hub's domain) against the same cycle on a hub node
/// (connected to the hub itself), in one run against one private hub and leaf, interleaved in rounds. Both graphs live
/// on the hub; the ratio is the cost of the leaf hop.
/// </summary>
internal sealed class EdgeClaimScenario(string name, int defaultIterations) : IScenario
{
    private const int Pool = 64;
    private const int Rounds = 10;

    /// <inheritdoc />
    public string Name => name;

    /// <inheritdoc />
    public string Store => "nats";

    /// <inheritdoc />
    public string Description => "1 caller: claim+release on an edge node (leaf, domain hub) vs on a hub node, same hub, same run";

    /// <inheritdoc />
    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchOptions options, TextWriter notes, CancellationToken cancellationToken)
    {
        var iterations = options.IterationsOr(defaultIterations);
        var perRound = Math.Max(1, iterations / Rounds);
        var leafPort = FreePort();
        var hubDir = Directory.CreateTempSubdirectory("taskgraph-bench-hub-").FullName;
        await File.WriteAllTextAsync(Path.Combine(hubDir, "hub.conf"), $$"""
            listen: 127.0.0.1:-1
            jetstream { store_dir: "{{Path.Combine(hubDir, "js")}}", domain: hub }
            leafnodes { listen: 127.0.0.1:{{leafPort.ToString(CultureInfo.InvariantCulture)}} }
            """, cancellationToken).ConfigureAwait(false);
        await using var hub = await NatsServer.StartAsync(["-c", Path.Combine(hubDir, "hub.conf")], hubDir, cancellationToken).ConfigureAwait(false);
        var leafDir = Directory.CreateTempSubdirectory("taskgraph-bench-leaf-").FullName;
        await File.WriteAllTextAsync(Path.Combine(leafDir, "leaf.conf"), $$"""
            listen: 127.0.0.1:-1
            jetstream { store_dir: "{{Path.Combine(leafDir, "js")}}", domain: edge }
            leafnodes { remotes: [ { url: "nats-leaf://127.0.0.1:{{leafPort.ToString(CultureInfo.InvariantCulture)}}" } ] }
            """, cancellationToken).ConfigureAwait(false);
        await using var leaf = await NatsServer.StartAsync(["-c", Path.Combine(leafDir, "leaf.conf")], leafDir, cancellationToken).ConfigureAwait(false);

        // Opening on the leaf waits (up to the open timeout) until the hub's domain answers across the leaf connection.
        await using var onHub = await CoreGraph.StartAsync(
            await NatsRecordStore.OpenAsync(new NatsStoreOptions { Url = hub.Url, Graph = "edgebench-hub", Domain = "hub" }, null, cancellationToken).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
        await using var atEdge = await CoreGraph.StartAsync(
            await NatsRecordStore.OpenAsync(new NatsStoreOptions { Url = leaf.Url, Graph = "edgebench-edge", Domain = "hub", OpenTimeout = TimeSpan.FromSeconds(20) }, null, cancellationToken).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
        foreach (var graph in new[] { onHub, atEdge })
        {
            await graph.ConnectWorkersAsync(1, cancellationToken).ConfigureAwait(false);
            await graph.CreateTasksAsync(0, Pool, cancellationToken).ConfigureAwait(false);
        }

        var edgeCycle = new LatencySamples();
        var edgeClaim = new LatencySamples();
        var hubCycle = new LatencySamples();
        var hubClaim = new LatencySamples();
        var next = 0;
        for (var i = 0; i < Math.Min(300, iterations); i++)
        {
            await ClaimReleaseScenario.CycleAsync(onHub, next % Pool, null, null, null, cancellationToken).ConfigureAwait(false);
            await ClaimReleaseScenario.CycleAsync(atEdge, next++ % Pool, null, null, null, cancellationToken).ConfigureAwait(false);
        }

        for (var round = 0; round < Rounds; round++)
        {
            foreach (var (graph, cycle, claim) in new[] { (atEdge, edgeCycle, edgeClaim), (onHub, hubCycle, hubClaim) })
            {
                var start = Stopwatch.GetTimestamp();
                for (var i = 0; i < perRound; i++)
                {
                    await ClaimReleaseScenario.CycleAsync(graph, next++ % Pool, cycle, claim, null, cancellationToken).ConfigureAwait(false);
                }

                cycle.AddWall(start, Stopwatch.GetTimestamp(), perRound);
            }
        }

        const string baseline = "the same on a hub node";
        notes.WriteLine($"{name}: hub and leaf on loopback; the edge node's every store call crosses the leaf connection to domain hub.");
        return
        [
            BenchResult.From(name, Store, 1, edgeCycle, hubCycle, baseline),
            BenchResult.From(name + "/claim", Store, 1, edgeClaim, hubClaim, baseline) with { OpsPerSecond = Math.Round(1_000_000 / edgeClaim.MedianUs) },
        ];
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
