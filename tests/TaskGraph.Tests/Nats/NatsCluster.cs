using System.Globalization;
using NATS.Client.Core;
using NATS.Client.KeyValueStore;
using NATS.Net;

namespace TaskGraph.Tests.Nats;

/// <summary>
/// A 3-node nats-server cluster with JetStream on random loopback ports (server names n1..n3, one config file and one
/// store directory per node). Started means: every node ready and the JetStream meta leader elected.
/// </summary>
public sealed class NatsCluster : IAsyncDisposable
{
    private readonly List<NatsServerProcess> _nodes;

    private NatsCluster(List<NatsServerProcess> nodes) => _nodes = nodes;

    /// <summary>The nodes, n1..n3.</summary>
    public IReadOnlyList<NatsServerProcess> Nodes => _nodes;

    /// <summary>All client URLs, comma-separated, in node order.</summary>
    public string Urls => string.Join(",", _nodes.Select(n => n.Url));

    /// <summary>All client URLs starting with node <paramref name="first"/> (0-based), comma-separated.</summary>
    public string UrlsStartingAt(int first) =>
        string.Join(",", Enumerable.Range(0, _nodes.Count).Select(i => _nodes[(first + i) % _nodes.Count].Url));

    /// <summary>Starts three nodes and waits until JetStream accepts an R3 bucket; tries again with new ports if a start fails.</summary>
    public static async Task<NatsCluster> StartAsync(CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(cancellationToken);
            }
            catch (InvalidOperationException) when (attempt < 3 && !cancellationToken.IsCancellationRequested)
            {
                // A port picked as free can be taken by someone else before the node binds it.
            }
        }
    }

    private static async Task<NatsCluster> StartOnceAsync(CancellationToken cancellationToken)
    {
        const int size = 3;
        var clientPorts = Enumerable.Range(0, size).Select(_ => NatsServerProcess.FreeLoopbackPort()).ToArray();
        var routePorts = Enumerable.Range(0, size).Select(_ => NatsServerProcess.FreeLoopbackPort()).ToArray();
        var routes = string.Join(", ", routePorts.Select(p => "nats-route://127.0.0.1:" + p.ToString(CultureInfo.InvariantCulture)));
        var nodes = new List<NatsServerProcess>();
        var cluster = new NatsCluster(nodes);
        try
        {
            var starts = new List<Task<NatsServerProcess>>();
            for (var i = 0; i < size; i++)
            {
                var name = "n" + (i + 1).ToString(CultureInfo.InvariantCulture);
                var directory = NatsServerProcess.CreateTempDirectory();
                var config = Path.Combine(directory, name + ".conf");
                var store = Path.Combine(directory, "js");
                await File.WriteAllTextAsync(config, $$"""
                    server_name: {{name}}
                    listen: 127.0.0.1:{{clientPorts[i]}}
                    jetstream {
                      store_dir: "{{store}}"
                    }
                    cluster {
                      name: tg
                      listen: 127.0.0.1:{{routePorts[i]}}
                      routes: [ {{routes}} ]
                    }
                    """, cancellationToken);
                starts.Add(NatsServerProcess.StartWithConfigAsync(config, directory, name, cancellationToken));
            }

            foreach (var start in starts)
            {
                try
                {
                    nodes.Add(await start);
                }
                catch (InvalidOperationException) when (starts.Any(s => !s.IsCompletedSuccessfully))
                {
                    // Collect the others so that they get disposed, then fail.
                    foreach (var other in starts.Where(s => s.IsCompletedSuccessfully && !nodes.Contains(s.Result)))
                    {
                        nodes.Add(other.Result);
                    }

                    throw;
                }
            }

            await cluster.WaitForJetStreamAsync(cancellationToken);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until an R3 bucket can be created and written (meta leader elected, peers known).</summary>
    public async Task WaitForJetStreamAsync(CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(45);
        await using var connection = new NatsConnection(new NatsOpts { Url = Urls, RequestTimeout = TimeSpan.FromSeconds(2) });
        var kv = connection.CreateKeyValueStoreContext();
        var bucket = "probe_" + Guid.NewGuid().ToString("N")[..8];
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var store = await kv.CreateStoreAsync(new NatsKVConfig(bucket) { NumberOfReplicas = 3 }, cancellationToken);
                await store.PutAsync("probe", 1, cancellationToken: cancellationToken);
                await kv.DeleteStoreAsync(bucket, cancellationToken);
                return;
            }
            catch (Exception ex) when (ex is NatsException or TimeoutException)
            {
                last = ex;
                await Task.Delay(200, cancellationToken);
            }
        }

        throw new InvalidOperationException(
            $"JetStream cluster not ready: {last?.Message}\n{string.Join("\n", _nodes.Select(n => n.Name + ":\n" + n.Output))}", last);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }
}
