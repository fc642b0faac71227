using TaskGraph.Bus.Connection;
using TaskGraph.Bus.KeyValue;
using TaskGraph.Core.Storage;
using TaskGraph.Tests.Nats;

namespace TaskGraph.Tests.Rules.History;

/// <summary><see cref="ChangeTimeHistoryTests"/> on a nats-server, which stamps messages with its own clock.</summary>
[Collection(NatsServerCollection.Name)]
public sealed class NatsChangeTimeHistoryTests(NatsServerFixture nats) : ChangeTimeHistoryTests
{
    private readonly string _graph = "times" + Guid.NewGuid().ToString("N")[..10];

    private protected override async Task<IRecordStore> OpenStoreAsync(CancellationToken cancellationToken) =>
        await NatsRecordStore.OpenAsync(new NatsStoreOptions { Url = nats.Server.Url, Graph = _graph, Name = "times" }, null, cancellationToken);

    private protected override Task<IRecordStore> ReopenStoreAsync(CancellationToken cancellationToken) => OpenStoreAsync(cancellationToken);
}
