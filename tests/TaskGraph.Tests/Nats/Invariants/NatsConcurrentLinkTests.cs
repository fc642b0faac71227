using TaskGraph.Tests.Rules;
using TaskGraph.Tests.Rules.Dependencies;

namespace TaskGraph.Tests.Nats.Invariants;

/// <summary>The concurrent link suite on separate connections to one graph on a single nats-server.</summary>
[Collection(NatsServerCollection.Name)]
public sealed class NatsConcurrentLinkTests(NatsServerFixture fixture) : ConcurrentLinkTests
{
    /// <inheritdoc />
    protected override RulesBackend Backend => RulesBackend.Nats(fixture.Server);
}
