using TaskGraph.Tests.Rules;
using TaskGraph.Tests.Rules.Claims;

namespace TaskGraph.Tests.Nats.Invariants;

/// <summary>Ambiguous claim writes over one R3 graph on a cluster (fenced CAS).</summary>
[Collection(NatsClusterCollection.Name)]
public sealed class NatsClusterAmbiguousClaimWriteTests(NatsClusterFixture fixture) : AmbiguousClaimWriteTests
{
    /// <inheritdoc />
    protected override RulesBackend Backend => RulesBackend.NatsCluster(fixture.Cluster);
}
