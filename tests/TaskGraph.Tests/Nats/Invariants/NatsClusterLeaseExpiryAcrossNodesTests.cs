using TaskGraph.Tests.Rules;
using TaskGraph.Tests.Rules.Leases;

namespace TaskGraph.Tests.Nats.Invariants;

/// <summary>Lease expiry across three servers of a cluster, one R3 graph.</summary>
[Collection(NatsClusterCollection.Name)]
public sealed class NatsClusterLeaseExpiryAcrossNodesTests(NatsClusterFixture fixture) : LeaseExpiryAcrossNodesTests
{
    /// <inheritdoc />
    protected override RulesBackend Backend => RulesBackend.NatsCluster(fixture.Cluster);
}
