using TaskGraph.Tests.Rules;
using TaskGraph.Tests.Rules.Dependencies;

namespace TaskGraph.Tests.Nats.Invariants;

/// <summary>The concurrent link suite on one R3 graph, the nodes spread over the three servers of a cluster.</summary>
[Collection(NatsClusterCollection.Name)]
public sealed class NatsClusterConcurrentLinkTests(NatsClusterFixture fixture) : ConcurrentLinkTests
{
    /// <inheritdoc />
    protected override RulesBackend Backend => RulesBackend.NatsCluster(fixture.Cluster);
}
