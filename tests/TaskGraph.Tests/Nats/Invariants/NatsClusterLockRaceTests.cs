using TaskGraph.Tests.Rules;
using TaskGraph.Tests.Rules.Marks;

namespace TaskGraph.Tests.Nats.Invariants;

/// <summary>The lock race (invariant 4) on one R3 graph, the nodes spread over the three servers of a cluster.</summary>
[Collection(NatsClusterCollection.Name)]
public sealed class NatsClusterLockRaceTests(NatsClusterFixture fixture) : LockRaceTests
{
    /// <inheritdoc />
    protected override RulesBackend Backend => RulesBackend.NatsCluster(fixture.Cluster);
}
