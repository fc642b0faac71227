using TaskGraph.Core.Configuration;
using TaskGraph.Core.Dependencies;
using TaskGraph.Core.Errors;

namespace TaskGraph.Tests.Rules.Dependencies;

/// <summary>Invariant 3 with two nodes writing at once: no cycle, at most one <c>contains</c> parent.</summary>
public abstract class DependencyRaceTests
{
    /// <summary>Where the nodes keep their data.</summary>
    protected abstract RulesBackend Backend { get; }

    [Fact]
    public async Task Concurrent_a_to_b_and_b_to_a_from_two_nodes_never_both_succeed()
    {
        using var cts = RulesHarness.Timeout();
        await using var first = await Backend.CreateAsync(time: TimeProvider.System, cancellationToken: cts.Token);
        await using var second = await first.OpenNodeAsync(cts.Token);

        for (var round = 0; round < 20; round++)
        {
            var a = $"a{round}";
            var b = $"b{round}";
            await first.CreateAsync(a, cts.Token);
            await first.CreateAsync(b, cts.Token);
            var results = new LinkResult?[2];

            var outcomes = await RulesHarness.RaceAsync(
                2,
                async i => results[i] = i == 0
                    ? await first.Dependencies.LinkAsync([a], [b], "blocks", "n1", cts.Token)
                    : await second.Dependencies.LinkAsync([b], [a], "blocks", "n2", cts.Token),
                cts.Token);

            Assert.All(outcomes, o => Assert.Null(o));
            Assert.Equal(1, results.Sum(r => r!.Created.Count));
            var loser = Assert.Single(results, r => r!.Created.Count == 0)!;
            Assert.Equal(ErrorCodes.DependencyCycle, Assert.Single(loser.Errors).Code);
        }

        var graph = new DependencyGraph(await first.EdgesAsync(cts.Token), new TaskGraphConfig().Dependencies);
        Assert.Equal(20, graph.Edges.Count);
        Assert.All(graph.Edges, e => Assert.False(graph.WouldCycle(e.From, e.To, e.Type), $"{e.From} -> {e.To} closes a cycle"));
    }

    [Fact]
    public async Task Concurrent_parents_for_one_child_from_two_nodes_leave_exactly_one()
    {
        using var cts = RulesHarness.Timeout();
        await using var first = await Backend.CreateAsync(time: TimeProvider.System, cancellationToken: cts.Token);
        await using var second = await first.OpenNodeAsync(cts.Token);

        for (var round = 0; round < 10; round++)
        {
            var kid = $"kid{round}";
            await first.CreateAsync($"p{round}x", cts.Token);
            await first.CreateAsync($"p{round}y", cts.Token);
            await first.CreateAsync(kid, cts.Token);
            var created = new int[2];

            await RulesHarness.RaceAsync(
                2,
                async i => created[i] = (await (i == 0 ? first : second).Dependencies.LinkAsync([i == 0 ? $"p{round}x" : $"p{round}y"], [kid], "contains", null, cts.Token)).Created.Count,
                cts.Token);

            Assert.Equal(1, created.Sum());
            Assert.Single(await first.EdgesAsync(cts.Token), e => e.To == kid);
        }
    }
}
