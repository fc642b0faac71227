using TaskGraph.Tests.Rules;
using TaskGraph.Tests.Rules.Dependencies;

namespace TaskGraph.Tests.Nats.Invariants;

/// <summary>The edge change log on separate connections to one graph on a single nats-server.</summary>
[Collection(NatsServerCollection.Name)]
public sealed class NatsDependencyChangeLogTests(NatsServerFixture fixture) : DependencyChangeLogTests
{
    /// <inheritdoc />
    protected override RulesBackend Backend => RulesBackend.Nats(fixture.Server);
}
