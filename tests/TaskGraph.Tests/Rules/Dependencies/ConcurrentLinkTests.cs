using System.Collections.Concurrent;
using System.Globalization;
using TaskGraph.Core.Configuration;
using TaskGraph.Core.Dependencies;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Records;

namespace TaskGraph.Tests.Rules.Dependencies;

/// <summary>
/// Many agents linking at the same moment (issue 11, item 4): 16 agents on 4 nodes whose links touch different pairs must
/// all succeed (no <c>CONFLICT</c>), while the cycle and single-parent checks stay exact when their links do collide.
/// </summary>
public abstract class ConcurrentLinkTests
{
    private const int Agents = 16;
    private const int Nodes = 4;

    /// <summary>Where the nodes keep their data.</summary>
    protected abstract RulesBackend Backend { get; }

    [Fact]
    public async Task Sixteen_agents_on_four_nodes_linking_distinct_edges_at_once_all_succeed()
    {
        const int rounds = 6;
        using var cts = RulesHarness.Timeout();
        await using var first = await Backend.CreateAsync(time: TimeProvider.System, cancellationToken: cts.Token);
        var nodes = await first.OpenNodesAsync(Nodes, cts.Token);
        try
        {
            var expected = new List<DependencyEdge>();
            var failures = new List<string>();
            for (var round = 0; round < rounds; round++)
            {
                var edges = Enumerable.Range(0, Agents).Select(i => new DependencyEdge(Id("s", round, i), Id("d", round, i), "blocks")).ToArray();
                foreach (var edge in edges)
                {
                    await first.CreateAsync(edge.From, cts.Token);
                    await first.CreateAsync(edge.To, cts.Token);
                }

                var results = new LinkResult?[Agents];
                var outcomes = await RulesHarness.RaceAsync(
                    Agents,
                    async i => results[i] = await nodes[i % Nodes].Dependencies.LinkAsync([edges[i].From], [edges[i].To], "blocks", Agent(i), cts.Token),
                    cts.Token);

                for (var i = 0; i < Agents; i++)
                {
                    if (outcomes[i] is { } code)
                    {
                        failures.Add($"round {round} agent {i} {edges[i].From}->{edges[i].To}: {code}");
                    }
                    else if (results[i] is { } result && (result.Created.Count != 1 || result.Created[0] != edges[i] || result.Errors.Count > 0 || result.Warnings.Count > 0))
                    {
                        failures.Add($"round {round} agent {i} {edges[i].From}->{edges[i].To}: created {result.Created.Count}, {Issues(result)}");
                    }
                }

                expected.AddRange(edges);
            }

            Assert.True(failures.Count == 0, $"{failures.Count} of {rounds * Agents} links did not create their edge: {string.Join("; ", failures)}");
            var stored = await first.EdgesAsync(cts.Token);
            Assert.Equal(expected.OrderBy(Key), stored.OrderBy(Key));
        }
        finally
        {
            await RulesHarness.DisposeNodesAsync(nodes);
        }
    }

    [Fact]
    public async Task Sixteen_agents_linking_a_thousand_edges_one_call_after_another_get_no_conflict_and_no_cycle()
    {
        const int tasks = 64;
        using var cts = new CancellationTokenSource(RulesHarness.TestTimeout * 4);
        await using var first = await Backend.CreateAsync(time: TimeProvider.System, cancellationToken: cts.Token);
        var nodes = await first.OpenNodesAsync(Nodes, cts.Token);
        try
        {
            for (var i = 0; i < tasks; i++)
            {
                await first.CreateAsync(Id("n", 0, i), cts.Token);
            }

            // Every second pair (i < j) of the 64 tasks: 1,008 edges, all from lower to higher index (acyclic by
            // construction), dealt round-robin to the agents (63 each), so their calls interleave all over the graph.
            var pairs = new List<DependencyEdge>();
            for (var i = 0; i < tasks; i++)
            {
                for (var j = i + 1; j < tasks; j++)
                {
                    pairs.Add(new DependencyEdge(Id("n", 0, i), Id("n", 0, j), ((i + j) % 3) == 0 ? "follows" : "blocks"));
                }
            }

            var all = pairs.Where((_, k) => k % 2 == 0).ToList();
            var mine = Enumerable.Range(0, Agents).Select(a => all.Where((_, k) => k % Agents == a).ToList()).ToArray();
            var failures = new ConcurrentQueue<string>();

            var outcomes = await RulesHarness.RaceAsync(
                Agents,
                async a =>
                {
                    var node = nodes[a % Nodes];
                    foreach (var edge in mine[a])
                    {
                        try
                        {
                            var result = await node.Dependencies.LinkAsync([edge.From], [edge.To], edge.Type, Agent(a), cts.Token);
                            if (result.Created.Count != 1 || result.Created[0] != edge || result.Errors.Count > 0 || result.Warnings.Count > 0)
                            {
                                failures.Enqueue($"agent {a} {edge.From}->{edge.To}: created {result.Created.Count}, {Issues(result)}");
                            }
                        }
                        catch (TaskGraphException ex)
                        {
                            failures.Enqueue($"agent {a} {edge.From}->{edge.To}: {ex.Code}");
                        }
                    }
                },
                cts.Token);

            Assert.All(outcomes, o => Assert.Null(o));
            Assert.True(
                failures.IsEmpty,
                $"{failures.Count} of {all.Count} links failed ({Summary(failures)}); first: {string.Join("; ", failures.Take(5))}");
            var stored = await first.EdgesAsync(cts.Token);
            Assert.Equal(all.Count, stored.Count);
            Assert.Equal(all.OrderBy(Key), stored.OrderBy(Key));
            AssertAcyclic(stored);
        }
        finally
        {
            await RulesHarness.DisposeNodesAsync(nodes);
        }
    }

    [Fact]
    public async Task Sixteen_agents_closing_a_ring_at_once_leave_fifteen_edges_and_the_last_one_is_refused_as_a_cycle()
    {
        const int rounds = 5;
        using var cts = new CancellationTokenSource(RulesHarness.TestTimeout * 2);
        await using var first = await Backend.CreateAsync(time: TimeProvider.System, cancellationToken: cts.Token);
        var nodes = await first.OpenNodesAsync(Nodes, cts.Token);
        try
        {
            for (var round = 0; round < rounds; round++)
            {
                // t0 -> t1 -> ... -> t15 -> t0, one edge per agent, blocks and follows alternating: one family, one cycle.
                var ring = Enumerable.Range(0, Agents)
                    .Select(i => new DependencyEdge(Id("r", round, i), Id("r", round, (i + 1) % Agents), i % 2 == 0 ? "blocks" : "follows"))
                    .ToArray();
                foreach (var edge in ring)
                {
                    await first.CreateAsync(edge.From, cts.Token);
                }

                var results = new LinkResult?[Agents];
                var outcomes = await RulesHarness.RaceAsync(
                    Agents,
                    async i => results[i] = await nodes[i % Nodes].Dependencies.LinkAsync([ring[i].From], [ring[i].To], ring[i].Type, Agent(i), cts.Token),
                    cts.Token);

                Assert.True(outcomes.All(o => o is null), $"round {round}: {string.Join(", ", outcomes.Select((o, i) => $"agent {i}: {o ?? "ok"}"))}");
                var won = Enumerable.Range(0, Agents).Where(i => results[i]!.Created.Count == 1).ToList();
                Assert.True(won.Count == Agents - 1, $"round {round}: {won.Count} of {Agents} links succeeded, expected {Agents - 1}");
                var loser = Assert.Single(results, r => r!.Created.Count == 0)!;
                Assert.Equal(ErrorCodes.DependencyCycle, Assert.Single(loser.Errors).Code);
                Assert.All(won, i => Assert.Equal(ring[i], Assert.Single(results[i]!.Created)));

                var stored = (await first.EdgesAsync(cts.Token)).Where(e => ring.Contains(e)).ToList();
                Assert.Equal(won.Select(i => ring[i]).OrderBy(Key), stored.OrderBy(Key));
            }

            var edges = await first.EdgesAsync(cts.Token);
            Assert.Equal(rounds * (Agents - 1), edges.Count);
            AssertAcyclic(edges);
        }
        finally
        {
            await RulesHarness.DisposeNodesAsync(nodes);
        }
    }

    [Fact]
    public async Task Sixteen_agents_giving_one_child_sixteen_parents_at_once_leave_exactly_one()
    {
        const int rounds = 5;
        using var cts = new CancellationTokenSource(RulesHarness.TestTimeout * 2);
        await using var first = await Backend.CreateAsync(time: TimeProvider.System, cancellationToken: cts.Token);
        var nodes = await first.OpenNodesAsync(Nodes, cts.Token);
        try
        {
            for (var round = 0; round < rounds; round++)
            {
                var kid = Id("kid", round, 0);
                var parents = Enumerable.Range(0, Agents).Select(i => Id("p", round, i)).ToArray();
                foreach (var parent in parents)
                {
                    await first.CreateAsync(parent, cts.Token);
                }

                await first.CreateAsync(kid, cts.Token);
                var results = new LinkResult?[Agents];
                var outcomes = await RulesHarness.RaceAsync(
                    Agents,
                    async i => results[i] = await nodes[i % Nodes].Dependencies.LinkAsync([parents[i]], [kid], "contains", Agent(i), cts.Token),
                    cts.Token);

                Assert.True(outcomes.All(o => o is null), $"round {round}: {string.Join(", ", outcomes.Select((o, i) => $"agent {i}: {o ?? "ok"}"))}");
                var winner = Assert.Single(Enumerable.Range(0, Agents), i => results[i]!.Created.Count == 1);
                Assert.All(
                    Enumerable.Range(0, Agents).Where(i => i != winner),
                    i => Assert.Equal(ErrorCodes.DependencyCycle, Assert.Single(results[i]!.Errors).Code));
                var stored = Assert.Single(await first.EdgesAsync(cts.Token), e => e.To == kid);
                Assert.Equal(new DependencyEdge(parents[winner], kid, "contains"), stored);
            }
        }
        finally
        {
            await RulesHarness.DisposeNodesAsync(nodes);
        }
    }

    [Fact]
    public async Task Concurrent_link_unlink_and_relink_on_overlapping_pairs_leave_what_their_answers_say()
    {
        const int side = 4;
        const int opsPerAgent = 24;
        const int relinks = 12;
        using var cts = new CancellationTokenSource(RulesHarness.TestTimeout * 2);
        await using var first = await Backend.CreateAsync(time: TimeProvider.System, cancellationToken: cts.Token);
        var nodes = await first.OpenNodesAsync(Nodes, cts.Token);
        try
        {
            // 16 pairs left_i -> right_j, all one way, so no call can meet a cycle: every answer is created/removed or a
            // no-op (DUPLICATE, DEPENDENCY_NOT_FOUND). A third of them exist before the race.
            for (var i = 0; i < side; i++)
            {
                await first.CreateAsync(Id("left", 0, i), cts.Token);
                await first.CreateAsync(Id("right", 0, i), cts.Token);
            }

            var pairs = Enumerable.Range(0, side * side).Select(p => new DependencyEdge(Id("left", 0, p / side), Id("right", 0, p % side), "blocks")).ToArray();
            var net = new int[pairs.Length];
            for (var p = 0; p < pairs.Length; p += 3)
            {
                await first.LinkAsync(pairs[p].From, pairs[p].To, cts.Token);
                net[p] = 1;
            }

            var failures = new ConcurrentQueue<string>();
            void Count(int pair, IReadOnlyList<DependencyEdge> changed, int sign, string what)
            {
                if (changed.Any(e => e != pairs[pair]) || changed.Count > 1)
                {
                    failures.Enqueue($"{what} {pairs[pair].From}->{pairs[pair].To} changed {string.Join(", ", changed.Select(Key))}");
                }

                Interlocked.Add(ref net[pair], sign * changed.Count);
            }

            // Agent 0 relinks (moves an edge from one pair to another); the others link and unlink. Which calls each agent
            // makes is fixed by its seed; only the interleaving is left to the race, and the check holds for any of them.
            var outcomes = await RulesHarness.RaceAsync(
                Agents,
                async a =>
                {
                    var node = nodes[a % Nodes];
                    var random = new Random(1000 + a);
                    for (var op = 0; op < (a == 0 ? relinks : opsPerAgent); op++)
                    {
                        var p = random.Next(pairs.Length);
                        try
                        {
                            if (a == 0)
                            {
                                var q = (p + 1 + random.Next(pairs.Length - 1)) % pairs.Length;
                                var moved = await node.Dependencies.RelinkAsync([pairs[p].From], [pairs[p].To], [pairs[q].From], [pairs[q].To], "blocks", Agent(a), cts.Token);
                                if (!moved.Success)
                                {
                                    failures.Enqueue($"relink {Key(pairs[p])} to {Key(pairs[q])}: {moved.Error}");
                                }

                                Count(p, moved.Unlinked, -1, "relink");
                                Count(q, moved.Linked, +1, "relink");
                            }
                            else if (random.Next(2) == 0)
                            {
                                var linked = await node.Dependencies.LinkAsync([pairs[p].From], [pairs[p].To], "blocks", Agent(a), cts.Token);
                                if (linked.Errors.Count > 0 || (linked.Created.Count == 0 && linked.Warnings.SingleOrDefault()?.Code != "DUPLICATE"))
                                {
                                    failures.Enqueue($"link {Key(pairs[p])}: {Issues(linked)}");
                                }

                                Count(p, linked.Created, +1, "link");
                            }
                            else
                            {
                                var unlinked = await node.Dependencies.UnlinkAsync([pairs[p].From], [pairs[p].To], "blocks", Agent(a), cts.Token);
                                if (unlinked.Removed.Count == 0 && unlinked.Errors.SingleOrDefault()?.Code != "DEPENDENCY_NOT_FOUND")
                                {
                                    failures.Enqueue($"unlink {Key(pairs[p])}: {string.Join(", ", unlinked.Errors.Select(e => e.Code))}");
                                }

                                Count(p, unlinked.Removed, -1, "unlink");
                            }
                        }
                        catch (TaskGraphException ex)
                        {
                            failures.Enqueue($"agent {a} op {op} on {Key(pairs[p])}: {ex.Code}");
                        }
                    }
                },
                cts.Token);

            Assert.All(outcomes, o => Assert.Null(o));
            Assert.True(failures.IsEmpty, $"{failures.Count} calls failed ({Summary(failures)}): {string.Join("; ", failures.Take(5))}");
            var stored = (await first.EdgesAsync(cts.Token)).ToHashSet();
            for (var p = 0; p < pairs.Length; p++)
            {
                // Created and removed alternate on one pair, whatever the order: the answers must add up to what is stored.
                Assert.True(net[p] is 0 or 1, $"{Key(pairs[p])}: the answers created minus removed {net[p]} times");
                Assert.True(stored.Contains(pairs[p]) == (net[p] == 1), $"{Key(pairs[p])}: stored {stored.Contains(pairs[p])}, the answers say {net[p] == 1}");
            }

            Assert.Equal(net.Sum(), stored.Count);
        }
        finally
        {
            await RulesHarness.DisposeNodesAsync(nodes);
        }
    }

    private static string Id(string prefix, int round, int index) => string.Create(CultureInfo.InvariantCulture, $"{prefix}{round}-{index}");

    private static string Agent(int index) => string.Create(CultureInfo.InvariantCulture, $"agent-{index}");

    private static string Key(DependencyEdge edge) => $"{edge.From}->{edge.To}:{edge.Type}";

    private static string Issues(LinkResult result) =>
        $"errors [{string.Join(", ", result.Errors.Select(e => e.Code))}], warnings [{string.Join(", ", result.Warnings.Select(e => e.Code))}]";

    private static string Summary(IEnumerable<string> failures) =>
        string.Join(", ", failures.GroupBy(f => f[(f.LastIndexOf(' ') + 1)..]).Select(g => $"{g.Count()} x {g.Key}"));

    private static void AssertAcyclic(IReadOnlyList<DependencyEdge> edges)
    {
        var graph = new DependencyGraph(edges, new TaskGraphConfig().Dependencies);
        Assert.All(graph.Edges, e => Assert.False(graph.WouldCycle(e.From, e.To, e.Type), $"{e.From} -> {e.To} closes a cycle"));
    }
}
