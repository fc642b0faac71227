using TaskGraph.Tests.Rules;
using TaskGraph.Tests.Rules.Ids;

namespace TaskGraph.Tests.Nats.Invariants;

/// <summary>The generated-id race on three runtimes connected to one graph on a single nats-server.</summary>
[Collection(NatsServerCollection.Name)]
public sealed class NatsGeneratedIdRaceTests(NatsServerFixture fixture, ITestOutputHelper output) : GeneratedIdRaceTests(output)
{
    /// <inheritdoc />
    protected override RulesBackend Backend => RulesBackend.Nats(fixture.Server);
}
