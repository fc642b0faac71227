using TaskGraph.Tests.Rules;
using TaskGraph.Tests.Rules.Dependencies;

namespace TaskGraph.Tests.Nats.Invariants;

/// <summary>The link races (invariant 3) on one R3 graph, the nodes spread over the three servers of a cluster.</summary>
[Collection(NatsClusterCollection.Name)]
public sealed class NatsClusterDependencyRaceTests(NatsClusterFixture fixture) : DependencyRaceTests
{
    /// <inheritdoc />
    protected override RulesBackend Backend => RulesBackend.NatsCluster(fixture.Cluster);
}
