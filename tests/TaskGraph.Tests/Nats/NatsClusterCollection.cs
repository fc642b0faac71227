namespace TaskGraph.Tests.Nats;

/// <summary>Tests that share one 3-node cluster (each test uses its own graph with R3 streams).</summary>
[CollectionDefinition(Name)]
public sealed class NatsClusterCollection : ICollectionFixture<NatsClusterFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "nats-cluster";
}
