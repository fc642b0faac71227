using TaskGraph.Bus.Connection;
using TaskGraph.Bus.KeyValue;
using TaskGraph.Core.Storage;
using TaskGraph.Tests.Storage;

namespace TaskGraph.Tests.Nats;

/// <summary>The store contract on a 3-node cluster with R3 bucket and log; the second instance prefers another node.</summary>
[Collection(NatsClusterCollection.Name)]
public sealed class NatsClusterStoreContractTests(NatsClusterFixture fixture) : StoreContractTests
{
    /// <inheritdoc />
    protected override async Task<IRecordStore> OpenStoreAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await NatsRecordStore.OpenAsync(Options("r" + Guid.NewGuid().ToString("N")[..16], 0), null, cts.Token);
    }

    /// <inheritdoc />
    protected override async Task<IRecordStore> OpenSecondInstanceAsync(IRecordStore first)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await NatsRecordStore.OpenAsync(Options(((NatsRecordStore)first).Graph, 1), null, cts.Token);
    }

    // A fresh R3 stream on a loaded 2-core machine can take seconds to answer its first writes (leader election):
    // the contract is about outcomes, not latency, so the store gets a request timeout well above that.
    private NatsStoreOptions Options(string graph, int firstNode) =>
        new() { Url = fixture.Cluster.UrlsStartingAt(firstNode), Graph = graph, Replicas = 3, RequestTimeout = TimeSpan.FromSeconds(10) };
}
