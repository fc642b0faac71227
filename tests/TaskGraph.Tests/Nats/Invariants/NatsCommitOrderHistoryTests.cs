using TaskGraph.Tests.Rules;
using TaskGraph.Tests.Rules.History;

namespace TaskGraph.Tests.Nats.Invariants;

/// <summary>Invariant 5 with three read models following one graph on a single nats-server.</summary>
[Collection(NatsServerCollection.Name)]
public sealed class NatsCommitOrderHistoryTests(NatsServerFixture fixture) : CommitOrderHistoryTests
{
    /// <inheritdoc />
    protected override RulesBackend Backend => RulesBackend.Nats(fixture.Server);
}
