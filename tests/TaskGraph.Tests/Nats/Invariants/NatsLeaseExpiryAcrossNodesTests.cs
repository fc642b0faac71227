using TaskGraph.Tests.Rules;
using TaskGraph.Tests.Rules.Leases;

namespace TaskGraph.Tests.Nats.Invariants;

/// <summary>Lease expiry across three connections to one graph on a single nats-server.</summary>
[Collection(NatsServerCollection.Name)]
public sealed class NatsLeaseExpiryAcrossNodesTests(NatsServerFixture fixture) : LeaseExpiryAcrossNodesTests
{
    /// <inheritdoc />
    protected override RulesBackend Backend => RulesBackend.Nats(fixture.Server);
}
