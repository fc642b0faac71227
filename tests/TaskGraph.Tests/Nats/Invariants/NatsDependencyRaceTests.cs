using TaskGraph.Tests.Rules;
using TaskGraph.Tests.Rules.Dependencies;

namespace TaskGraph.Tests.Nats.Invariants;

/// <summary>The link races (invariant 3) on separate connections to one graph on a single nats-server.</summary>
[Collection(NatsServerCollection.Name)]
public sealed class NatsDependencyRaceTests(NatsServerFixture fixture) : DependencyRaceTests
{
    /// <inheritdoc />
    protected override RulesBackend Backend => RulesBackend.Nats(fixture.Server);
}
