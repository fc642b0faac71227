using TaskGraph.Tests.Rules;
using TaskGraph.Tests.Rules.Ids;

namespace TaskGraph.Tests.Nats.Invariants;

/// <summary>The generated-id race on three runtimes over one R3 graph, one runtime per server of a 3-node cluster.</summary>
[Collection(NatsClusterCollection.Name)]
public sealed class NatsClusterGeneratedIdRaceTests(NatsClusterFixture fixture, ITestOutputHelper output) : GeneratedIdRaceTests(output)
{
    /// <inheritdoc />
    protected override RulesBackend Backend => RulesBackend.NatsCluster(fixture.Cluster);
}
