using TaskGraph.Tests.Rules;
using TaskGraph.Tests.Rules.Marks;

namespace TaskGraph.Tests.Nats.Invariants;

/// <summary>The lock race (invariant 4) on separate connections to one graph on a single nats-server.</summary>
[Collection(NatsServerCollection.Name)]
public sealed class NatsLockRaceTests(NatsServerFixture fixture) : LockRaceTests
{
    /// <inheritdoc />
    protected override RulesBackend Backend => RulesBackend.Nats(fixture.Server);
}
