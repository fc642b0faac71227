using TaskGraph.Core.Errors;
using TaskGraph.Core.Storage;

namespace TaskGraph.Tests.Rules.Marks;

/// <summary>Invariant 4 with several nodes writing at once: an exclusive <c>lock:</c> mark has one holder.</summary>
public abstract class LockRaceTests
{
    /// <summary>Where the nodes keep their data.</summary>
    protected abstract RulesBackend Backend { get; }

    [Fact]
    public async Task Eight_agents_on_four_nodes_racing_for_one_lock_leave_exactly_one_holder()
    {
        using var cts = RulesHarness.Timeout();
        await using var first = await Backend.CreateAsync(time: TimeProvider.System, cancellationToken: cts.Token);
        var nodes = await first.OpenNodesAsync(4, cts.Token);
        try
        {
            for (var round = 0; round < 5; round++)
            {
                var agents = Enumerable.Range(0, 8).Select(a => $"r{round}agent{a}").ToArray();
                foreach (var agent in agents)
                {
                    await first.ConnectAsync(agent, cts.Token);
                }

                var name = $"lock:release-{round}";
                var outcomes = await RulesHarness.RaceAsync(8, a => nodes[a % 4].Marks.MarkAsync(agents[a], [name], null, null, cts.Token), cts.Token);

                var winner = Assert.Single(Enumerable.Range(0, 8), a => outcomes[a] is null);
                Assert.Equal(7, outcomes.Count(o => o == ErrorCodes.LockConflict));
                var mark = await first.Context.Records.GetMarkAsync(name, cts.Token);
                Assert.Equal(agents[winner], mark!.Value.Value.Agent);
            }

            Assert.Equal(5, (await first.Store.ListAsync(RecordKeys.MarkPrefix, cts.Token)).Count);
        }
        finally
        {
            await RulesHarness.DisposeNodesAsync(nodes);
        }
    }
}
