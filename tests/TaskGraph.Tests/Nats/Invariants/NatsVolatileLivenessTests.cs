using TaskGraph.Tests.Rules;
using TaskGraph.Tests.Rules.Leases;

namespace TaskGraph.Tests.Nats.Invariants;

/// <summary>Volatile liveness on two connections to one graph on a single nats-server (the <c>tgl_&lt;graph&gt;</c> bucket).</summary>
[Collection(NatsServerCollection.Name)]
public sealed class NatsVolatileLivenessTests(NatsServerFixture fixture) : VolatileLivenessTests
{
    /// <inheritdoc />
    protected override RulesBackend Backend => RulesBackend.Nats(fixture.Server);
}
