namespace TaskGraph.Tests.Nats;

/// <summary>Tests that share one single nats-server (each test uses its own graph).</summary>
[CollectionDefinition(Name)]
public sealed class NatsServerCollection : ICollectionFixture<NatsServerFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "nats-server";
}
