using TaskGraph.Tests.Rules;
using TaskGraph.Tests.Rules.Claims;

namespace TaskGraph.Tests.Nats.Invariants;

/// <summary>The claim races (invariants 1, 2, 7) on one R3 graph, the nodes spread over the three servers of a cluster.</summary>
[Collection(NatsClusterCollection.Name)]
public sealed class NatsClusterClaimRaceTests(NatsClusterFixture fixture) : ClaimRaceTests
{
    /// <inheritdoc />
    protected override RulesBackend Backend => RulesBackend.NatsCluster(fixture.Cluster);
}
