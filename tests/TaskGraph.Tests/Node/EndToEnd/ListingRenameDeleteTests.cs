using TaskGraph.Tests.Node.Hosting;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.EndToEnd;

/// <summary>Paging, markdown, rename and delete through the built executable; one shared node, each test on its own tags and ids.</summary>
public sealed class ListingRenameDeleteTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private readonly NodeProcess _node = fixture.Node;

    [Fact]
    public async Task List_tasks_pages_with_limit_and_offset_and_says_when_more_remain()
    {
        var ct = Timeout();
        for (var i = 1; i <= 5; i++)
        {
            await _node.CallAsync("create", new { id = $"page-{i}", title = $"Paged task {i}", tags = new[] { "paging" } }, ct);
        }

        var seen = new List<string>();
        (int Offset, int Count, bool HasMore)[] pages = [(0, 2, true), (2, 2, true), (4, 1, false)];
        foreach (var (offset, count, hasMore) in pages)
        {
            var page = await _node.CallAsync("list_tasks", new { tags_all = new[] { "paging" }, limit = 2, offset }, ct);
            Assert.Equal(count, Ids(page).Count);
            Assert.Equal(hasMore, page.GetProperty("has_more").GetBoolean());
            Assert.Equal((offset, 2), (page.GetProperty("offset").GetInt32(), page.GetProperty("limit").GetInt32()));
            seen.AddRange(Ids(page));
        }

        // Newest first by default, and the pages neither overlap nor skip.
        Assert.Equal(["page-5", "page-4", "page-3", "page-2", "page-1"], seen);
    }

    [Fact]
    public async Task List_tasks_in_markdown_has_one_line_per_task_and_a_next_page_hint()
    {
        var ct = Timeout();
        await _node.CallAsync("create", new { id = "md-low", title = "Tidy the changelog", tags = new[] { "markdown" } }, ct);
        await _node.CallAsync("create", new { id = "md-urgent", title = "Fix the outage", priority = 10, tags = new[] { "markdown" } }, ct);

        var body = await _node.CallAsync("list_tasks", new { tags_all = new[] { "markdown" }, sort_by = "priority", limit = 1, format = "markdown" }, ct);
        Assert.Equal("markdown", String(body, "format"));
        var content = String(body, "content")!;
        var lines = content.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("- !!! Fix the outage `md-urgent`", lines[0], StringComparison.Ordinal); // the whole id: get needs it
        Assert.DoesNotContain("changelog", content);
        Assert.Contains("*More results available. Use offset=1 to see next page.*", content);
    }

    [Fact]
    public async Task Rename_rewrites_edges_and_marks_and_the_old_id_is_gone()
    {
        var ct = Timeout();
        await _node.CallAsync("connect", new { worker_id = "renamer" }, ct);
        await _node.CallAsync("create", new { id = "rn-first", title = "First" }, ct);
        await _node.CallAsync("create", new { id = "rn-second", title = "Second" }, ct);
        await _node.CallAsync("link", new { from = "rn-first", to = "rn-second", type = "blocks" }, ct);
        await _node.CallAsync("mark_file", new { agent = "renamer", file = "docs/second.md", task = "rn-second" }, ct);

        var renamed = await _node.CallAsync("rename", new { worker_id = "renamer", task = "rn-second", new_id = "rn-renamed" }, ct);
        Assert.Equal(("rn-second", "rn-renamed"), (String(renamed, "old_id"), String(renamed, "new_id")));

        var got = await _node.CallAsync("get", new { task = "rn-renamed" }, ct);
        Assert.Equal("Second", String(got, "title"));
        Assert.Equal(["rn-first"], Strings(got, "blocked_by"));
        var scan = await _node.CallAsync("scan", new { task = "rn-first", after = 1 }, ct);
        Assert.Equal(["rn-renamed"], scan.GetProperty("after").EnumerateArray().Select(t => String(t, "id")));
        var mark = Assert.Single((await _node.CallAsync("list_marks", new { agent = "renamer" }, ct)).GetProperty("marks").EnumerateArray());
        Assert.Equal("rn-renamed", String(mark, "task_id"));
        Assert.Equal("pending", String(Assert.Single((await _node.CallAsync("task_history", new { task = "rn-renamed" }, ct)).GetProperty("history").EnumerateArray()), "status"));

        Assert.Equal("TASK_NOT_FOUND", (await _node.CallExpectErrorAsync("get", new { task = "rn-second" }, ct)).Code);
        Assert.Empty((await _node.CallAsync("list_marks", new { task = "rn-second" }, ct)).GetProperty("marks").EnumerateArray());
        await _node.CallAsync("disconnect", new { worker_id = "renamer" }, ct);
    }

    [Fact]
    public async Task Delete_is_soft_by_default_needs_cascade_for_children_and_obliterate_removes_for_good()
    {
        var ct = Timeout();
        await _node.CallAsync("connect", new { worker_id = "deleter" }, ct);
        await _node.CallAsync("create_tree", new
        {
            tree = new { id = "del-parent", title = "Parent", tags = new[] { "deleting" }, children = new object[] { new { id = "del-child", title = "Child", tags = new[] { "deleting" } } } },
        }, ct);
        await _node.CallAsync("create", new { id = "del-single", title = "Single", tags = new[] { "deleting" } }, ct);
        await _node.CallAsync("create", new { id = "del-gone", title = "Gone", tags = new[] { "deleting" } }, ct);

        // children need cascade; the refusal changes nothing
        var refused = await _node.CallExpectErrorEnvelopeAsync("delete", new { worker_id = "deleter", task = "del-parent" }, ct);
        Assert.NotEqual("INTERNAL_ERROR", String(refused, "code"));
        Assert.Contains("cascade", String(refused, "message"));
        Assert.Equal(4, Ids(await _node.CallAsync("list_tasks", new { tags_all = new[] { "deleting" } }, ct)).Count);

        // soft delete: hidden from lists, still visible to get with who, when and why
        var soft = await _node.CallAsync("delete", new { worker_id = "deleter", task = "del-single", reason = "duplicate" }, ct);
        Assert.True(soft.GetProperty("soft_deleted").GetBoolean());
        var single = await _node.CallAsync("get", new { task = "del-single" }, ct);
        Assert.Equal(("deleter", "duplicate"), (String(single, "deleted_by"), String(single, "deleted_reason")));
        Assert.True(single.TryGetProperty("deleted_at", out _));

        // cascade soft-deletes the whole subtree
        Assert.True((await _node.CallAsync("delete", new { worker_id = "deleter", task = "del-parent", cascade = true }, ct)).GetProperty("soft_deleted").GetBoolean());
        Assert.True((await _node.CallAsync("get", new { task = "del-child" }, ct)).TryGetProperty("deleted_at", out _));

        // obliterate removes it
        Assert.False((await _node.CallAsync("delete", new { worker_id = "deleter", task = "del-gone", obliterate = true }, ct)).GetProperty("soft_deleted").GetBoolean());
        Assert.Equal("TASK_NOT_FOUND", (await _node.CallExpectErrorAsync("get", new { task = "del-gone" }, ct)).Code);

        Assert.Empty(Ids(await _node.CallAsync("list_tasks", new { tags_all = new[] { "deleting" } }, ct)));
        await _node.CallAsync("disconnect", new { worker_id = "deleter" }, ct);
    }
}
