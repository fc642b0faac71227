using TaskGraph.Bus.Connection;
using TaskGraph.Bus.KeyValue;

namespace TaskGraph.Tests.Nats;

/// <summary>Replicas on one server: automatic means R1, and more than one replica is refused at open.</summary>
[Collection(NatsServerCollection.Name)]
public sealed class NatsSingleServerReplicasTests(NatsServerFixture fixture)
{
    [Fact]
    public async Task On_a_single_server_automatic_replicas_are_1_without_a_fence()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var store = await NatsRecordStore.OpenAsync(new NatsStoreOptions { Url = fixture.Server.Url, Graph = NewGraph() }, null, cts.Token);
        Assert.Equal((1, 1, false), (store.Replicas, store.RequestedReplicas, store.UsesCasFence));
    }

    [Fact]
    public async Task Replicas_3_on_a_single_server_are_refused_at_open()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var graph = NewGraph();
        var ex = await Assert.ThrowsAsync<NatsReplicasException>(async () =>
            await NatsRecordStore.OpenAsync(new NatsStoreOptions { Url = fixture.Server.Url, Graph = graph, Replicas = 3 }, null, cts.Token));
        Assert.Equal(
            $"NATS replicas 3 asked for graph '{graph}', but the deployment has 1 server; set server.nats.replicas to at most 1, or remove it to choose automatically.",
            ex.Message);
    }

    private static string NewGraph() => "rep" + Guid.NewGuid().ToString("N")[..12];
}
