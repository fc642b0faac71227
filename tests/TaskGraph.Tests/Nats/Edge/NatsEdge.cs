using System.Globalization;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace TaskGraph.Tests.Nats.Edge;

/// <summary>
/// An edge deployment on random loopback ports: a hub nats-server (JetStream domain <see cref="HubDomain"/>) and a leaf
/// node with JetStream of its own (domain <see cref="LeafDomain"/>) whose uplink runs through a <see cref="TcpRelay"/>,
/// so <see cref="CutUplink"/> drops the link while both servers run. Started means: the hub's domain answers from the leaf.
/// </summary>
internal sealed class NatsEdge : IAsyncDisposable
{
    public const string HubDomain = "hub";
    public const string LeafDomain = "edge";

    private NatsEdge(NatsServerProcess hub, NatsServerProcess leaf, TcpRelay relay)
    {
        Hub = hub;
        Leaf = leaf;
        Relay = relay;
    }

    public NatsServerProcess Hub { get; }

    public NatsServerProcess Leaf { get; }

    public TcpRelay Relay { get; }

    /// <summary>Starts the hub, the relay and the leaf; waits until the hub's domain answers through the leaf.</summary>
    public static async Task<NatsEdge> StartAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(cancellationToken);
            }
            catch (InvalidOperationException) when (attempt < 3 && !cancellationToken.IsCancellationRequested)
            {
                // A leafnode port picked as free was taken before the hub bound it.
            }
        }
    }

    /// <summary>Drops the leaf's uplink (both servers keep running).</summary>
    public void CutUplink() => Relay.Cut();

    /// <summary>Lets the leaf reconnect, and waits until the hub's domain answers through it again.</summary>
    public async Task RestoreUplinkAsync(CancellationToken cancellationToken)
    {
        Relay.Restore();
        await WaitForHubAsync(Leaf.Url, cancellationToken);
    }

    /// <summary>Kills the hub (kill -9): the leaf loses its uplink and the hub's clients their server.</summary>
    public Task KillHubAsync() => Hub.KillAsync();

    /// <summary>Starts the hub again (same ports, same store) and waits until its domain answers through the leaf.</summary>
    public async Task RestartHubAsync(CancellationToken cancellationToken)
    {
        await Hub.RestartAsync(cancellationToken);
        await WaitForHubAsync(Leaf.Url, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        // Every server goes, whatever fails on the way: a leaked nats-server outlives the test run.
        try
        {
            await Leaf.DisposeAsync();
            await Relay.DisposeAsync();
        }
        finally
        {
            await Hub.DisposeAsync();
        }
    }

    private static async Task<NatsEdge> StartOnceAsync(CancellationToken cancellationToken)
    {
        // Fixed (picked free) ports, so a killed hub comes back where the leaf and the clients look for it.
        var leafPort = NatsServerProcess.FreeLoopbackPort();
        var clientPort = NatsServerProcess.FreeLoopbackPort();
        var hubDir = NatsServerProcess.CreateTempDirectory();
        var hubConfig = Path.Combine(hubDir, "hub.conf");
        await File.WriteAllTextAsync(hubConfig, $$"""
            server_name: tg-test-hub
            listen: 127.0.0.1:{{clientPort.ToString(CultureInfo.InvariantCulture)}}
            jetstream { store_dir: "{{Path.Combine(hubDir, "js")}}", domain: {{HubDomain}} }
            leafnodes { listen: 127.0.0.1:{{leafPort.ToString(CultureInfo.InvariantCulture)}} }
            """, cancellationToken);
        var hub = await NatsServerProcess.StartWithConfigAsync(hubConfig, hubDir, "hub", cancellationToken);
        TcpRelay? relay = null;
        NatsServerProcess? leaf = null;
        try
        {
            relay = new TcpRelay(leafPort);
            var leafDir = NatsServerProcess.CreateTempDirectory();
            var leafConfig = Path.Combine(leafDir, "leaf.conf");
            await File.WriteAllTextAsync(leafConfig, $$"""
                server_name: tg-test-leaf
                listen: 127.0.0.1:-1
                jetstream { store_dir: "{{Path.Combine(leafDir, "js")}}", domain: {{LeafDomain}} }
                leafnodes { reconnect: 1, remotes: [ { url: "nats-leaf://127.0.0.1:{{relay.Port.ToString(CultureInfo.InvariantCulture)}}" } ] }
                """, cancellationToken);
            leaf = await NatsServerProcess.StartWithConfigAsync(leafConfig, leafDir, "leaf", cancellationToken);
            await WaitForHubAsync(leaf.Url, cancellationToken);
            return new NatsEdge(hub, leaf, relay);
        }
        catch
        {
            if (leaf is not null)
            {
                await leaf.DisposeAsync();
            }

            if (relay is not null)
            {
                await relay.DisposeAsync();
            }

            await hub.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits (up to 20 s) until <c>$JS.hub.API.INFO</c> answers through the server at <paramref name="url"/>.</summary>
    private static async Task WaitForHubAsync(string url, CancellationToken cancellationToken)
    {
        await using var connection = new NatsConnection(new NatsOpts { Url = url, RequestTimeout = TimeSpan.FromSeconds(1) });
        var js = new NatsJSContext(connection, new NatsJSOpts(connection.Opts, domain: HubDomain));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            try
            {
                await js.GetAccountInfoAsync(cancellationToken);
                return;
            }
            catch (NatsException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (NatsException ex)
            {
                throw new InvalidOperationException("The hub's JetStream domain did not answer through the leaf node within 20 s.", ex);
            }
        }
    }
}
