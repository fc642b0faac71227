using TaskGraph.Tests.Rules;
using TaskGraph.Tests.Rules.Leases;

namespace TaskGraph.Tests.Nats.Invariants;

/// <summary>Fenced late writes on one R3 graph, the nodes spread over the three servers of a cluster.</summary>
[Collection(NatsClusterCollection.Name)]
public sealed class NatsClusterFencedLateWriteTests(NatsClusterFixture fixture) : FencedLateWriteTests
{
    /// <inheritdoc />
    protected override RulesBackend Backend => RulesBackend.NatsCluster(fixture.Cluster);
}
