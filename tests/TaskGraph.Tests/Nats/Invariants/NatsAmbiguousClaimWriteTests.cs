using TaskGraph.Tests.Rules;
using TaskGraph.Tests.Rules.Claims;

namespace TaskGraph.Tests.Nats.Invariants;

/// <summary>Ambiguous claim writes over one graph on a single nats-server.</summary>
[Collection(NatsServerCollection.Name)]
public sealed class NatsAmbiguousClaimWriteTests(NatsServerFixture fixture) : AmbiguousClaimWriteTests
{
    /// <inheritdoc />
    protected override RulesBackend Backend => RulesBackend.Nats(fixture.Server);
}
