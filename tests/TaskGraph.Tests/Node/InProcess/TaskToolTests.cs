using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.InProcess;

/// <summary>
/// <c>create</c>, <c>create_tree</c>, <c>get</c>, <c>list_tasks</c> (filters, paging, markdown), <c>search</c>,
/// <c>rename</c> and <c>delete</c> through the real tools (paging, markdown, rename and delete ported from the
/// process-spawning ListingRenameDeleteTests).
/// </summary>
[Trait("Lane", "fast")]
public sealed class TaskToolTests : InProcessToolTests
{
    [Fact]
    public async Task Create_stores_every_field_and_get_shows_them_with_parent_and_children()
    {
        await CreateAsync("epic");
        var created = await CallAsync("create", new
        {
            id = "full",
            title = "Parse the manifest",
            description = "Read it into records",
            parent = "epic",
            priority = "8",
            points = 3,
            time_estimate_ms = 60000,
            tags = new[] { "backend" },
            phase = "build",
            needed_tags = new[] { "rust" },
            wanted_tags = new[] { "linux", "mac" },
        });
        Assert.Equal(("full", "pending", 8), (String(created, "id"), String(created, "status"), created.GetProperty("priority").GetInt32()));

        var got = await GetAsync("full");
        Assert.Equal(("Parse the manifest", "Read it into records", "epic", "build"), (String(got, "title"), String(got, "description"), String(got, "parent"), String(got, "phase")));
        Assert.Equal((8, 3, 60000L), (got.GetProperty("priority").GetInt32(), got.GetProperty("points").GetInt32(), got.GetProperty("time_estimate_ms").GetInt64()));
        Assert.Equal(["backend"], Strings(got, "tags"));
        Assert.Equal(["rust"], Strings(got, "needed_tags"));
        Assert.Equal(["linux", "mac"], Strings(got, "wanted_tags"));
        Assert.Equal(["full"], Strings(await GetAsync("epic"), "children"));

        // priority is clamped to 0..10; a title over 80 characters is kept with a warning
        Assert.Equal(10, (await CallAsync("create", new { id = "loud", title = "Loud", priority = 99 })).GetProperty("priority").GetInt32());
        var wordy = await CallAsync("create", new { id = "wordy", title = new string('w', 81) });
        Assert.False(string.IsNullOrWhiteSpace(String(wordy, "title_warning")));

        await RefusedAsync("create", new { id = "full", title = "again" }, "ALREADY_EXISTS");
        await RefusedAsync("get", new { task = "nope" }, "TASK_NOT_FOUND");
    }

    [Fact]
    public async Task Create_tree_links_children_under_the_root_and_siblings_in_sequence()
    {
        await CreateAsync("existing");
        var tree = await CallAsync("create_tree", new
        {
            tree = new
            {
                id = "release",
                title = "Release 2.0",
                children = new object[]
                {
                    new { id = "build", title = "Build", children = new object[] { new { id = "compile", title = "Compile" } } },
                    new { id = "test", title = "Test" },
                    new { @ref = "existing" },
                },
            },
            sibling_type = "follows",
        });
        Assert.Equal(["release", "build", "compile", "test", "existing"], Strings(tree, "all_ids"));
        Assert.Equal(5, tree.GetProperty("count").GetInt32());
        Assert.Equal("release", String(tree.GetProperty("root"), "id"));

        Assert.Equal("build", String(await GetAsync("compile"), "parent"));
        Assert.Equal(["build"], Strings(await GetAsync("test"), "blocked_by"));
        Assert.Equal(["test"], Strings(await GetAsync("existing"), "blocked_by"));
        Assert.Equal("release", String(await GetAsync("existing"), "parent"));

        // leaves that nothing blocks are ready; the containers are not
        Assert.Equal(["compile"], Ids(await CallAsync("list_tasks", new { ready = true })));

        var missingRef = await RefusedAsync("create_tree", new { tree = new { title = "T", children = new object[] { new { @ref = "ghost" } } } }, "TASK_NOT_FOUND");
        Assert.Contains("ghost", String(missingRef, "message"), StringComparison.Ordinal);
        Assert.Equal(5, Ids(await CallAsync("list_tasks", new { limit = 100 })).Count);
    }

    [Fact]
    public async Task List_tasks_filters_by_status_owner_parent_tags_phase_and_state_sets()
    {
        await ConnectAsync("w");
        await CallAsync("create_tree", new { tree = new { id = "root", title = "Root", children = new object[] { new { id = "kid", title = "Kid", children = new object[] { new { id = "grandkid", title = "Grandkid" } } } } } });
        await CallAsync("create", new { id = "api", title = "API", tags = new[] { "backend", "http" }, phase = "build" });
        await CallAsync("create", new { id = "ui", title = "UI", tags = new[] { "frontend" }, priority = 9 });
        await CallAsync("create", new { id = "waiting", title = "Waiting", tags = new[] { "backend" } });
        await CallAsync("link", new { from = "api", to = "waiting" });
        await CallAsync("claim", new { worker_id = "w", task = "api" });

        Assert.Equal(["api"], Ids(await CallAsync("list_tasks", new { status = "working" })));
        Assert.Equal(["api", "ui"], Ids(await CallAsync("list_tasks", new { status = new[] { "working", "pending" }, tags_any = new[] { "http", "frontend" } })).Order());
        Assert.Equal(["api"], Ids(await CallAsync("list_tasks", new { owner = "w" })));
        Assert.Equal(["api"], Ids(await CallAsync("list_tasks", new { claimed = true })));
        Assert.Equal(["waiting"], Ids(await CallAsync("list_tasks", new { blocked = true })));
        Assert.Equal(["api"], Ids(await CallAsync("list_tasks", new { tags_all = new[] { "backend", "http" } })));
        Assert.Equal(["api"], Ids(await CallAsync("list_tasks", new { phase = "build" })));
        Assert.Equal(["kid"], Ids(await CallAsync("list_tasks", new { parent = "root" })));
        Assert.Equal(["grandkid", "kid"], Ids(await CallAsync("list_tasks", new { parent = "root", recursive = true })).Order());
        Assert.Equal(["api", "root", "ui", "waiting"], Ids(await CallAsync("list_tasks", new { parent = "null" })).Order());

        // ready: highest priority first; containers, claimed and blocked tasks are out
        Assert.Equal(["ui", "grandkid"], Ids(await CallAsync("list_tasks", new { ready = true })));
        Assert.Equal("ui", Ids(await CallAsync("list_tasks", new { sort_by = "priority", limit = 1 }))[0]);
        await RefusedAsync("list_tasks", new { status = "flying" }, "INVALID_STATE");
    }

    [Fact]
    public async Task List_tasks_pages_with_limit_and_offset_and_says_when_more_remain()
    {
        for (var i = 1; i <= 5; i++)
        {
            await CallAsync("create", new { id = $"page-{i}", title = $"Paged task {i}", tags = new[] { "paging" } });
        }

        var seen = new List<string>();
        (int Offset, int Count, bool HasMore)[] pages = [(0, 2, true), (2, 2, true), (4, 1, false)];
        foreach (var (offset, count, hasMore) in pages)
        {
            var page = await CallAsync("list_tasks", new { tags_all = new[] { "paging" }, limit = 2, offset });
            Assert.Equal(count, Ids(page).Count);
            Assert.Equal(hasMore, page.GetProperty("has_more").GetBoolean());
            Assert.Equal((offset, 2), (page.GetProperty("offset").GetInt32(), page.GetProperty("limit").GetInt32()));
            seen.AddRange(Ids(page));
        }

        // newest first by default, and the pages neither overlap nor skip
        Assert.Equal(["page-5", "page-4", "page-3", "page-2", "page-1"], seen);
        var exact = await CallAsync("list_tasks", new { tags_all = new[] { "paging" }, limit = 5 });
        Assert.False(exact.GetProperty("has_more").GetBoolean());
        Assert.Empty(Ids(await CallAsync("list_tasks", new { tags_all = new[] { "paging" }, offset = 9 })));
    }

    [Fact]
    public async Task List_tasks_in_markdown_has_one_line_per_task_and_a_next_page_hint()
    {
        await CallAsync("create", new { id = "md-low", title = "Tidy the changelog", tags = new[] { "markdown" } });
        await CallAsync("create", new { id = "md-urgent", title = "Fix the outage", priority = 10, tags = new[] { "markdown" } });

        var body = await CallAsync("list_tasks", new { tags_all = new[] { "markdown" }, sort_by = "priority", limit = 1, format = "markdown" });
        Assert.Equal("markdown", String(body, "format"));
        var content = String(body, "content")!;
        var lines = content.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("- !!! Fix the outage `md-urgent`", lines[0], StringComparison.Ordinal); // the whole id: get needs it
        Assert.DoesNotContain("changelog", content, StringComparison.Ordinal);
        Assert.Contains("*More results available. Use offset=1 to see next page.*", content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_finds_words_of_titles_and_descriptions_with_snippets_and_pages()
    {
        await CallAsync("create", new { id = "zep-1", title = "Zeppelin manifest parser", description = "Reads the quarterly zeppelin manifest" });
        await CallAsync("create", new { id = "zep-2", title = "Hangar schedule", description = "Which zeppelin lands when" });
        await CallAsync("create", new { id = "other", title = "Tidy the changelog" });

        var all = await CallAsync("search", new { query = "zeppelin" });
        Assert.Equal(["zep-1", "zep-2"], all.GetProperty("results").EnumerateArray().Select(r => String(r, "task_id")).Order());
        Assert.Equal(2, all.GetProperty("result_count").GetInt32());
        var hit = all.GetProperty("results").EnumerateArray().First(r => String(r, "task_id") == "zep-2");
        Assert.Contains("<mark>zeppelin</mark>", String(hit, "description_snippet"), StringComparison.Ordinal);

        Assert.Equal(["zep-1"], (await CallAsync("search", new { query = "title:zeppelin" })).GetProperty("results").EnumerateArray().Select(r => String(r, "task_id")));
        Assert.Equal(["zep-1"], (await CallAsync("search", new { query = "\"quarterly zeppelin\"" })).GetProperty("results").EnumerateArray().Select(r => String(r, "task_id")));
        var page = await CallAsync("search", new { query = "zeppelin", limit = 1 });
        Assert.True(page.GetProperty("has_more").GetBoolean());
        Assert.Single(page.GetProperty("results").EnumerateArray());
        Assert.Empty((await CallAsync("search", new { query = "submarine" })).GetProperty("results").EnumerateArray());
    }

    [Fact]
    public async Task Rename_rewrites_edges_and_marks_and_the_old_id_is_gone()
    {
        await ConnectAsync("renamer");
        await CreateAsync("rn-first", "rn-second");
        await CallAsync("link", new { from = "rn-first", to = "rn-second", type = "blocks" });
        await CallAsync("mark_file", new { agent = "renamer", file = "docs/second.md", task = "rn-second" });

        var renamed = await CallAsync("rename", new { worker_id = "renamer", task = "rn-second", new_id = "rn-renamed" });
        Assert.Equal(("rn-second", "rn-renamed"), (String(renamed, "old_id"), String(renamed, "new_id")));

        var got = await GetAsync("rn-renamed");
        Assert.Equal("rn-second", String(got, "title"));
        Assert.Equal(["rn-first"], Strings(got, "blocked_by"));
        var scan = await CallAsync("scan", new { task = "rn-first", after = 1 });
        Assert.Equal(["rn-renamed"], scan.GetProperty("after").EnumerateArray().Select(t => String(t, "id")));
        var mark = Assert.Single((await CallAsync("list_marks", new { agent = "renamer" })).GetProperty("marks").EnumerateArray());
        Assert.Equal("rn-renamed", String(mark, "task_id"));
        Assert.Equal("pending", String(Assert.Single((await CallAsync("task_history", new { task = "rn-renamed" })).GetProperty("history").EnumerateArray()), "status"));

        await RefusedAsync("get", new { task = "rn-second" }, "TASK_NOT_FOUND");
        Assert.Empty((await CallAsync("list_marks", new { task = "rn-second" })).GetProperty("marks").EnumerateArray());
        await RefusedAsync("rename", new { worker_id = "renamer", task = "rn-renamed", new_id = "rn-first" }, "ALREADY_EXISTS");
        await RefusedAsync("rename", new { worker_id = "renamer", task = "rn-second", new_id = "rn-other" }, "TASK_NOT_FOUND");
    }

    [Fact]
    public async Task Delete_is_soft_by_default_needs_cascade_for_children_and_obliterate_removes_for_good()
    {
        await ConnectAsync("deleter");
        await CallAsync("create_tree", new
        {
            tree = new { id = "del-parent", title = "Parent", tags = new[] { "deleting" }, children = new object[] { new { id = "del-child", title = "Child", tags = new[] { "deleting" } } } },
        });
        await CallAsync("create", new { id = "del-single", title = "Single", tags = new[] { "deleting" } });
        await CallAsync("create", new { id = "del-gone", title = "Gone", tags = new[] { "deleting" } });

        // children need cascade; the refusal changes nothing
        var refused = await Node.CallExpectErrorEnvelopeAsync("delete", new { worker_id = "deleter", task = "del-parent" }, Ct);
        Assert.NotEqual("INTERNAL_ERROR", String(refused, "code"));
        AssertWellFormed(refused);
        Assert.Contains("cascade", String(refused, "message"), StringComparison.Ordinal);
        Assert.Equal(4, Ids(await CallAsync("list_tasks", new { tags_all = new[] { "deleting" } })).Count);

        // soft delete: hidden from lists, still visible to get with who, when and why
        var soft = await CallAsync("delete", new { worker_id = "deleter", task = "del-single", reason = "duplicate" });
        Assert.True(soft.GetProperty("soft_deleted").GetBoolean());
        var single = await GetAsync("del-single");
        Assert.Equal(("deleter", "duplicate"), (String(single, "deleted_by"), String(single, "deleted_reason")));
        Assert.True(single.TryGetProperty("deleted_at", out _));

        // cascade soft-deletes the whole subtree
        Assert.True((await CallAsync("delete", new { worker_id = "deleter", task = "del-parent", cascade = true })).GetProperty("soft_deleted").GetBoolean());
        Assert.True((await GetAsync("del-child")).TryGetProperty("deleted_at", out _));

        // obliterate removes it
        Assert.False((await CallAsync("delete", new { worker_id = "deleter", task = "del-gone", obliterate = true })).GetProperty("soft_deleted").GetBoolean());
        await RefusedAsync("get", new { task = "del-gone" }, "TASK_NOT_FOUND");
        Assert.Empty(Ids(await CallAsync("list_tasks", new { tags_all = new[] { "deleting" } })));
    }

    [Fact]
    public async Task Deleting_a_task_another_live_worker_holds_is_not_owner_unless_forced()
    {
        await ConnectAsync("holder", "other");
        await CreateAsync("held");
        await CallAsync("claim", new { worker_id = "holder", task = "held" });

        var refused = await RefusedAsync("delete", new { worker_id = "other", task = "held" }, "NOT_OWNER");
        Assert.Contains("holder", String(refused, "message"), StringComparison.Ordinal);
        Assert.False((await GetAsync("held")).TryGetProperty("deleted_at", out _));
        Assert.True((await CallAsync("delete", new { worker_id = "other", task = "held", force = true })).GetProperty("success").GetBoolean());
    }
}
