using TaskGraph.Tests.Rules;
using TaskGraph.Tests.Rules.Leases;

namespace TaskGraph.Tests.Nats.Invariants;

/// <summary>Fenced late writes on separate connections to one graph on a single nats-server.</summary>
[Collection(NatsServerCollection.Name)]
public sealed class NatsFencedLateWriteTests(NatsServerFixture fixture) : FencedLateWriteTests
{
    /// <inheritdoc />
    protected override RulesBackend Backend => RulesBackend.Nats(fixture.Server);
}
