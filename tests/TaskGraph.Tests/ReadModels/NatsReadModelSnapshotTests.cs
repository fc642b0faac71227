using TaskGraph.Bus.Connection;
using TaskGraph.Bus.KeyValue;
using TaskGraph.Core.Storage;
using TaskGraph.Tests.Nats;

namespace TaskGraph.Tests.ReadModels;

/// <summary><see cref="ReadModelSnapshotTests"/> on a nats-server: each store name is its own graph (bucket).</summary>
[Collection(NatsServerCollection.Name)]
public sealed class NatsReadModelSnapshotTests(NatsServerFixture nats) : ReadModelSnapshotTests
{
    private readonly string _prefix = "snap" + Guid.NewGuid().ToString("N")[..8];

    private protected override async Task<IRecordStore> OpenStoreAsync(string name, CancellationToken ct) =>
        await NatsRecordStore.OpenAsync(new NatsStoreOptions { Url = nats.Server.Url, Graph = _prefix + name, Name = "snapshot-tests" }, null, ct);
}
