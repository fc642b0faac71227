using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.InProcess;

/// <summary>
/// <c>link</c>, <c>unlink</c> and <c>relink</c> through the real tools: typed edges, per-pair warnings and errors,
/// DEPENDENCY_CYCLE for cycles and second parents with nothing added, wildcards, and relink's all-or-nothing answer.
/// Runs on SQLite (fast lane) and on a single nats-server.
/// </summary>
public abstract class DependencyToolTests : InProcessToolTests
{
    [Fact]
    public async Task Link_adds_every_pair_and_reports_duplicates_and_unknown_targets_as_warnings()
    {
        await CreateAsync("a", "b", "c", "d");
        var linked = await CallAsync("link", new { from = new[] { "a", "b" }, to = new[] { "c", "d" }, type = "blocks" });
        Assert.True(linked.GetProperty("success").GetBoolean());
        Assert.Equal(["a>c", "a>d", "b>c", "b>d"], Pairs(linked, "created"));
        Assert.Equal("blocks", String(linked, "type"));
        Assert.Equal(["a", "b"], Strings(await GetAsync("c"), "blocked_by").Order());

        var again = await CallAsync("link", new { from = "a", to = new[] { "c", "ghost" } });
        Assert.Empty(Pairs(again, "created"));
        Assert.Equal(["DEPENDENCY_NOT_FOUND", "DUPLICATE"], again.GetProperty("warnings").EnumerateArray().Select(w => String(w, "code")!).Order());

        // a single pair that cannot be linked is an error envelope
        var unknown = await RefusedAsync("link", new { from = "ghost", to = "a" }, "TASK_NOT_FOUND");
        Assert.Equal("from", String(unknown, "field"));
        await RefusedAsync("link", new { from = "a", to = "b", type = "kinda" }, "INVALID_FIELD_VALUE");
    }

    [Fact]
    public async Task A_link_closing_a_cycle_is_refused_and_no_edge_is_added()
    {
        await CreateAsync("x", "y", "z");
        await CallAsync("link", new { from = "x", to = "y", type = "blocks" });
        await CallAsync("link", new { from = "y", to = "z", type = "follows" });

        var twoCycle = await RefusedAsync("link", new { from = "y", to = "x", type = "blocks" }, "DEPENDENCY_CYCLE");
        Assert.Contains("cycle", String(twoCycle, "message"), StringComparison.OrdinalIgnoreCase);
        await RefusedAsync("link", new { from = "z", to = "x", type = "blocks" }, "DEPENDENCY_CYCLE");

        var scan = await CallAsync("scan", new { task = "x", before = -1, after = -1 });
        Assert.Empty(scan.GetProperty("before").EnumerateArray());
        Assert.Equal(["y", "z"], scan.GetProperty("after").EnumerateArray().Select(t => String(t, "id")).Order());

        // in a batch, the refused pair is an error entry and the rest is linked
        await CreateAsync("w");
        var batch = await CallAsync("link", new { from = new[] { "z", "w" }, to = "x" });
        Assert.False(batch.GetProperty("success").GetBoolean());
        Assert.Equal(["w>x"], Pairs(batch, "created"));
        var error = Assert.Single(batch.GetProperty("errors").EnumerateArray());
        Assert.Equal(("DEPENDENCY_CYCLE", "z", "x"), (String(error, "code"), String(error, "from"), String(error, "to")));
    }

    [Fact]
    public async Task A_second_parent_is_refused_and_the_first_parent_stays()
    {
        await CreateAsync("first", "second");
        await CallAsync("create", new { id = "child", title = "Child", parent = "first" });

        var refused = await RefusedAsync("link", new { from = "second", to = "child", type = "contains" }, "DEPENDENCY_CYCLE");
        Assert.Contains("first", String(refused, "message"), StringComparison.Ordinal);
        Assert.Equal("first", String(await GetAsync("child"), "parent"));
        Assert.Empty(Strings(await GetAsync("second"), "children"));
    }

    [Fact]
    public async Task Unlink_removes_the_named_pairs_or_all_edges_of_a_side_with_a_wildcard()
    {
        await CreateAsync("hub", "s1", "s2", "s3");
        await CallAsync("link", new { from = "hub", to = new[] { "s1", "s2", "s3" } });

        var one = await CallAsync("unlink", new { from = "hub", to = "s1" });
        Assert.Equal(1, one.GetProperty("removed_count").GetInt32());
        Assert.Equal(["hub>s1"], Pairs(one, "removed"));
        Assert.Empty(Strings(await GetAsync("s1"), "blocked_by"));

        var rest = await CallAsync("unlink", new { from = "hub", to = "*" });
        Assert.Equal(["hub>s2", "hub>s3"], Pairs(rest, "removed").Order());
        Assert.Equal(new[] { "hub", "s1", "s2", "s3" }, Ids(await CallAsync("list_tasks", new { ready = true })).Order());

        // the wrong type removes nothing; both sides wild is refused
        await CallAsync("link", new { from = "hub", to = "s1" });
        Assert.Equal(0, (await CallAsync("unlink", new { from = "hub", to = "s1", type = "follows" })).GetProperty("removed_count").GetInt32());
        await RefusedAsync("unlink", new { from = "*", to = "*" }, "INVALID_FIELD_VALUE");
        Assert.Equal(["hub"], Strings(await GetAsync("s1"), "blocked_by"));
    }

    [Fact]
    public async Task Relink_moves_a_child_to_a_new_parent_in_one_step_and_a_refused_move_changes_nothing()
    {
        await CreateAsync("old-parent", "new-parent");
        await CallAsync("create", new { id = "mover", title = "Mover", parent = "old-parent" });
        await CallAsync("create", new { id = "under-mover", title = "Under", parent = "mover" });

        var moved = await CallAsync("relink", new { prev_from = "old-parent", prev_to = "mover", from = "new-parent", to = "mover" });
        Assert.True(moved.GetProperty("success").GetBoolean());
        Assert.Equal(["old-parent>mover"], Pairs(moved, "unlinked"));
        Assert.Equal(["new-parent>mover"], Pairs(moved, "linked"));
        Assert.Equal("new-parent", String(await GetAsync("mover"), "parent"));
        Assert.Empty(Strings(await GetAsync("old-parent"), "children"));

        // moving new-parent under its own grandchild would close a cycle: success false, nothing changed
        await CallAsync("create", new { id = "top", title = "Top" });
        await CallAsync("link", new { from = "top", to = "new-parent", type = "contains" });
        var refused = await CallAsync("relink", new { prev_from = "top", prev_to = "new-parent", from = "under-mover", to = "new-parent" });
        Assert.False(refused.GetProperty("success").GetBoolean());
        Assert.False(string.IsNullOrWhiteSpace(String(refused, "error")));
        Assert.Equal("top", String(await GetAsync("new-parent"), "parent"));
        Assert.Equal("new-parent", String(await GetAsync("mover"), "parent"));
    }

    private static List<string> Pairs(System.Text.Json.JsonElement answer, string property) =>
        [.. answer.GetProperty(property).EnumerateArray().Select(e => $"{String(e, "from")}>{String(e, "to")}")];
}
