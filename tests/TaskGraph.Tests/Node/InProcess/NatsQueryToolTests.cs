using Microsoft.Extensions.Time.Testing;
using TaskGraph.Core.Configuration;
using TaskGraph.Tests.Nats;

namespace TaskGraph.Tests.Node.InProcess;

/// <summary>The query tool suite on a single nats-server (a fresh graph per test).</summary>
[Collection(NatsServerCollection.Name)]
public sealed class NatsQueryToolTests(NatsServerFixture nats) : QueryToolTests
{
    private protected override Task<InProcessNode> StartNodeAsync(TaskGraphConfig config, FakeTimeProvider? clock, CancellationToken cancellationToken) =>
        InProcessNode.StartNatsAsync(nats.Server.Url, "inproc-query-" + Guid.NewGuid().ToString("N")[..12], cancellationToken, config, clock);
}
