using TaskGraph.Tests.Rules;
using TaskGraph.Tests.Rules.Claims;

namespace TaskGraph.Tests.Nats.Invariants;

/// <summary>The claim-next race on three runtimes, each with its own connection to one graph on a single nats-server.</summary>
[Collection(NatsServerCollection.Name)]
public sealed class NatsClaimNextRaceTests(NatsServerFixture fixture, ITestOutputHelper output) : ClaimNextRaceTests(output)
{
    /// <inheritdoc />
    protected override RulesBackend Backend => RulesBackend.Nats(fixture.Server);
}
