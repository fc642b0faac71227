using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;

namespace TaskGraph.Tests.Rules.Dependencies;

/// <summary>
/// How edges are stored (docs/adr/0002): each revision of <c>graph.deps</c> holds only its change, so a link writes the
/// same few bytes whatever the graph's size; every node rebuilds the edge set from the record's history and follows it
/// (catching up on changes written elsewhere), and a graph stored in the old one-record format keeps working.
/// </summary>
public abstract class DependencyChangeLogTests
{
    /// <summary>Where the nodes keep their data.</summary>
    protected abstract RulesBackend Backend { get; }

    [Fact]
    public async Task A_link_stores_only_its_change_so_the_record_does_not_grow_with_the_graph()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await Backend.CreateAsync(cancellationToken: cts.Token);
        for (var i = 0; i <= 200; i++)
        {
            await h.CreateAsync($"t{i}", cts.Token);
        }

        var sizes = new List<int>();
        for (var i = 0; i < 200; i++)
        {
            await h.LinkAsync($"t{i}", $"t{i + 1}", cts.Token);
            sizes.Add((await h.Store.GetAsync(RecordKeys.Dependencies, cts.Token))!.Value.Length);
        }

        Assert.Equal(200, (await h.EdgesAsync(cts.Token)).Count);
        Assert.True(sizes[^1] <= sizes[0] + 8, $"the 200th link stored {sizes[^1]} bytes, the first {sizes[0]}");
        var head = RecordJson.Deserialize<DependencyChangeRecord>((await h.Store.GetAsync(RecordKeys.Dependencies, cts.Token))!.Value);
        Assert.Equal((2, 200), (head.Format, head.Count));
        Assert.Equal([new DependencyEdge("t199", "t200", "blocks")], head.Added);
    }

    [Fact]
    public async Task A_node_catches_up_on_links_and_unlinks_written_through_other_nodes()
    {
        using var cts = RulesHarness.Timeout();
        await using var first = await Backend.CreateAsync(cancellationToken: cts.Token);
        await using var second = await first.OpenNodeAsync(cts.Token);
        foreach (var id in new[] { "a", "b", "c", "d", "e" })
        {
            await first.CreateAsync(id, cts.Token);
        }

        // The second node reads the graph once (empty), then the first changes it several times.
        Assert.Empty(await second.EdgesAsync(cts.Token));
        await first.LinkAsync("a", "b", cts.Token);
        await first.LinkAsync("b", "c", cts.Token);
        await first.LinkAsync("c", "d", cts.Token);
        await first.Dependencies.UnlinkAsync(["b"], ["c"], "blocks", null, cts.Token);

        Assert.Equal([new DependencyEdge("a", "b", "blocks"), new DependencyEdge("c", "d", "blocks")], await second.EdgesAsync(cts.Token));

        // Its own change builds on what it caught up with; the cycle check sees the edges it did not write.
        await second.LinkAsync("d", "e", cts.Token);
        var cycle = await second.Dependencies.LinkAsync(["e"], ["c"], "blocks", null, cts.Token);
        Assert.Equal("DEPENDENCY_CYCLE", Assert.Single(cycle.Errors).Code);
        Assert.Equal(3, (await first.EdgesAsync(cts.Token)).Count);

        // A fresh node rebuilds the same set from the history.
        await using var third = await first.OpenNodeAsync(cts.Token);
        Assert.Equal(await first.EdgesAsync(cts.Token), await third.EdgesAsync(cts.Token));
    }

    [Fact]
    public async Task A_graph_stored_in_the_one_record_format_is_read_and_changed_in_place()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await Backend.CreateAsync(cancellationToken: cts.Token);
        foreach (var id in new[] { "x", "y", "z" })
        {
            await h.CreateAsync(id, cts.Token);
        }

        // What a node before format 2 wrote: every edge in one record.
        var legacy = new DependencyGraphRecord { Edges = [new DependencyEdge("x", "y", "blocks")], Actor = "old-node" };
        await h.Store.CreateAsync(RecordKeys.Dependencies, RecordJson.Serialize(legacy), cts.Token);
        await using var node = await h.OpenNodeAsync(cts.Token);

        Assert.Equal(legacy.Edges, await node.EdgesAsync(cts.Token));
        await node.LinkAsync("y", "z", cts.Token);
        var cycle = await node.Dependencies.LinkAsync(["z"], ["x"], "blocks", null, cts.Token);
        Assert.Equal("DEPENDENCY_CYCLE", Assert.Single(cycle.Errors).Code);
        Assert.Equal([new DependencyEdge("x", "y", "blocks"), new DependencyEdge("y", "z", "blocks")], await h.EdgesAsync(cts.Token));
    }
}
