using TaskGraph.Bus.Connection;
using TaskGraph.Bus.KeyValue;
using TaskGraph.Core.Storage;
using TaskGraph.Tests.Storage;

namespace TaskGraph.Tests.Nats;

/// <summary>The store contract on a single nats-server: every store is its own graph (bucket + log) on the shared server.</summary>
[Collection(NatsServerCollection.Name)]
public sealed class NatsStoreContractTests(NatsServerFixture fixture) : StoreContractTests
{
    /// <inheritdoc />
    protected override async Task<IRecordStore> OpenStoreAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await NatsRecordStore.OpenAsync(Options("c" + Guid.NewGuid().ToString("N")[..16]), null, cts.Token);
    }

    /// <inheritdoc />
    protected override async Task<IRecordStore> OpenSecondInstanceAsync(IRecordStore first)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await NatsRecordStore.OpenAsync(Options(((NatsRecordStore)first).Graph), null, cts.Token);
    }

    private NatsStoreOptions Options(string graph) => new() { Url = fixture.Server.Url, Graph = graph };
}
