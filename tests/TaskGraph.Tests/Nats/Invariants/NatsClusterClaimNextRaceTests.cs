using TaskGraph.Tests.Rules;
using TaskGraph.Tests.Rules.Claims;

namespace TaskGraph.Tests.Nats.Invariants;

/// <summary>The claim-next race on one R3 graph, the three runtimes connected to the three servers of a cluster.</summary>
[Collection(NatsClusterCollection.Name)]
public sealed class NatsClusterClaimNextRaceTests(NatsClusterFixture fixture, ITestOutputHelper output) : ClaimNextRaceTests(output)
{
    /// <inheritdoc />
    protected override RulesBackend Backend => RulesBackend.NatsCluster(fixture.Cluster);
}
