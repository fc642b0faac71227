using TaskGraph.Tests.Rules;
using TaskGraph.Tests.Rules.History;

namespace TaskGraph.Tests.Nats.Invariants;

/// <summary>Invariant 5 with three read models following one R3 graph, each through another server of the cluster.</summary>
[Collection(NatsClusterCollection.Name)]
public sealed class NatsClusterCommitOrderHistoryTests(NatsClusterFixture fixture) : CommitOrderHistoryTests
{
    /// <inheritdoc />
    protected override RulesBackend Backend => RulesBackend.NatsCluster(fixture.Cluster);
}
