using TaskGraph.Tests.Rules;
using TaskGraph.Tests.Rules.Claims;

namespace TaskGraph.Tests.Nats.Invariants;

/// <summary>The claim races (invariants 1, 2, 7) on separate connections to one graph on a single nats-server.</summary>
[Collection(NatsServerCollection.Name)]
public sealed class NatsClaimRaceTests(NatsServerFixture fixture) : ClaimRaceTests
{
    /// <inheritdoc />
    protected override RulesBackend Backend => RulesBackend.Nats(fixture.Server);
}
