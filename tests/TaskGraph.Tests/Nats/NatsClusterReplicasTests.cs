using System.Text;
using NATS.Client.Core;
using NATS.Net;
using TaskGraph.Bus.Connection;
using TaskGraph.Bus.KeyValue;

namespace TaskGraph.Tests.Nats;

/// <summary>Replicas on the shared 3-node cluster: automatic R3, scaling an existing R1 graph, refusing more than the servers.</summary>
[Collection(NatsClusterCollection.Name)]
public sealed class NatsClusterReplicasTests(NatsClusterFixture fixture)
{
    [Fact]
    public async Task A_store_opened_without_a_replica_count_on_a_three_server_cluster_makes_every_stream_R3()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var graph = NewGraph();
        await using var store = await NatsRecordStore.OpenAsync(new NatsStoreOptions { Url = fixture.Cluster.Urls, Graph = graph }, null, cts.Token);
        await store.CreateAsync("task.auto", Encoding.UTF8.GetBytes("{}"), cts.Token);

        Assert.Equal((3, 3, true), (store.Replicas, store.RequestedReplicas, store.UsesCasFence));
        var streams = await StreamsOfAsync(graph, cts.Token);
        Assert.Equal(["KV_tg_" + graph, "KV_tg_" + graph + "_cas"], streams.Keys.Order(StringComparer.Ordinal));
        Assert.All(streams, s => Assert.True(s.Value == 3, $"{s.Key} has {s.Value} replicas"));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(null)]
    public async Task An_existing_R1_graph_opened_with_three_replicas_or_automatically_is_scaled_to_R3_and_keeps_its_records(int? asked)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var graph = NewGraph();
        ulong revision;
        await using (var r1 = await NatsRecordStore.OpenAsync(new NatsStoreOptions { Url = fixture.Cluster.Urls, Graph = graph, Replicas = 1 }, null, cts.Token))
        {
            Assert.Equal((1, false), (r1.Replicas, r1.UsesCasFence));
            revision = await r1.CreateAsync("task.kept", Encoding.UTF8.GetBytes("\"before\""), cts.Token);
        }

        Assert.Equal(1, (await StreamsOfAsync(graph, cts.Token))["KV_tg_" + graph]);

        await using var r3 = await NatsRecordStore.OpenAsync(new NatsStoreOptions { Url = fixture.Cluster.UrlsStartingAt(1), Graph = graph, Replicas = asked }, null, cts.Token);

        // nats-server 2.9.10 scales a stream by a config update of num_replicas: it is R3 after the open.
        Assert.Equal((3, 3, true), (r3.Replicas, r3.RequestedReplicas, r3.UsesCasFence));
        var streams = await StreamsOfAsync(graph, cts.Token);
        Assert.All(streams, s => Assert.True(s.Value == 3, $"{s.Key} has {s.Value} replicas"));
        var kept = await r3.GetAsync("task.kept", cts.Token);
        Assert.NotNull(kept);
        Assert.Equal("\"before\"", Encoding.UTF8.GetString(kept.Value.Span));
        await r3.UpdateAsync("task.kept", Encoding.UTF8.GetBytes("\"after\""), revision, cts.Token);
    }

    [Fact]
    public async Task Replicas_5_on_a_three_server_cluster_are_refused_at_open_with_one_clear_line_and_create_nothing()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var graph = NewGraph();
        var ex = await Assert.ThrowsAsync<NatsReplicasException>(async () =>
            await NatsRecordStore.OpenAsync(new NatsStoreOptions { Url = fixture.Cluster.Urls, Graph = graph, Replicas = 5 }, null, cts.Token));

        Assert.Equal(
            $"NATS replicas 5 asked for graph '{graph}', but the deployment has 3 servers; set server.nats.replicas to at most 3, or remove it to choose automatically.",
            ex.Message);
        Assert.Empty(await StreamsOfAsync(graph, cts.Token));
    }

    private static string NewGraph() => "rep" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Every stream whose name mentions the graph's bucket, with its configured replicas, as the server reports them.</summary>
    private async Task<Dictionary<string, int>> StreamsOfAsync(string graph, CancellationToken cancellationToken)
    {
        await using var connection = new NatsConnection(new NatsOpts { Url = fixture.Cluster.Urls, RequestTimeout = TimeSpan.FromSeconds(5) });
        var js = connection.CreateJetStreamContext();
        var streams = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var stream in js.ListStreamsAsync(cancellationToken: cancellationToken))
        {
            if (stream.Info.Config.Name is { } name && name.Contains("tg_" + graph, StringComparison.Ordinal))
            {
                streams[name] = stream.Info.Config.NumReplicas;
            }
        }

        return streams;
    }
}
