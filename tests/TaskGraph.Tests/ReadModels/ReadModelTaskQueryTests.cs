using TaskGraph.Core.Configuration;
using TaskGraph.Core.Errors;
using TaskGraph.Core.ReadModels;

namespace TaskGraph.Tests.ReadModels;

[Trait("Lane", "fast")]
public sealed class ReadModelTaskQueryTests
{
    private static readonly TaskQueryRules Rules = TaskQueryRules.From(new TaskGraphConfig());

    [Fact]
    public void Rules_from_the_default_config_name_the_initial_state_blocking_states_and_edge_types()
    {
        Assert.Equal("pending", Rules.InitialState);
        Assert.Equal(["pending", "assigned", "working"], Rules.BlockingStates);
        Assert.Equal(["blocks", "follows"], Rules.StartBlockingTypes.Order());
        Assert.Equal(["contains"], Rules.VerticalTypes);
    }

    [Fact]
    public async Task Ready_excludes_blocked_owned_non_initial_deleted_and_container_tasks()
    {
        await using var h = await ReadModelHarness.StartedAsync();
        var w = h.Writer;
        await w.CreateTaskAsync("blocker", ct: h.Ct);
        await w.CreateTaskAsync("blocked", ct: h.Ct);
        await w.CreateTaskAsync("free", ct: h.Ct);
        await w.CreateTaskAsync("owned", ct: h.Ct);
        await w.CreateTaskAsync("done", ct: h.Ct);
        await w.CreateTaskAsync("deleted", ct: h.Ct);
        await w.CreateTaskAsync("parent", ct: h.Ct);
        await w.CreateTaskAsync("child", ct: h.Ct);
        await w.LinkAsync("blocker", "blocked", "blocks", h.Ct);
        await w.LinkAsync("parent", "child", "contains", h.Ct);
        await w.SetStatusAsync("owned", "assigned", owner: "w1", ct: h.Ct);
        await w.SetStatusAsync("done", "completed", ct: h.Ct);
        await h.AppliedAsync(w.ChangeTaskAsync("deleted", t => t with { DeletedAt = h.NowMs }, h.Ct));

        var ready = Ids(h.Model.ListTasks(new TaskListQuery { Ready = true }, Rules));

        Assert.Equal(["blocker", "child", "free"], ready.Order());
        Assert.Equal(["blocked"], Ids(h.Model.ListTasks(new TaskListQuery { Blocked = true }, Rules)));
        Assert.Equal(["blocker"], h.Model.BlockedBy("blocked", Rules, unsatisfiedOnly: true));
    }

    [Fact]
    public async Task A_completed_blocker_makes_its_dependent_ready_and_a_deleted_pending_blocker_still_blocks()
    {
        await using var h = await ReadModelHarness.StartedAsync();
        var w = h.Writer;
        await w.CreateTaskAsync("a", ct: h.Ct);
        await w.CreateTaskAsync("b", ct: h.Ct);
        await w.CreateTaskAsync("c", ct: h.Ct);
        await w.CreateTaskAsync("d", ct: h.Ct);
        await w.LinkAsync("a", "b", "follows", h.Ct);
        await w.LinkAsync("c", "d", "blocks", h.Ct);
        await w.ChangeTaskAsync("c", t => t with { DeletedAt = h.NowMs }, h.Ct);
        await h.AppliedAsync(w.SetStatusAsync("a", "completed", ct: h.Ct));

        var ready = Ids(h.Model.ListTasks(new TaskListQuery { Ready = true }, Rules));

        Assert.Contains("b", ready);
        Assert.DoesNotContain("d", ready);
        Assert.Empty(h.Model.BlockedBy("b", Rules, unsatisfiedOnly: true));
        Assert.Equal(["a"], h.Model.BlockedBy("b", Rules, unsatisfiedOnly: false));
    }

    [Fact]
    public async Task A_parent_becomes_ready_when_its_contains_edge_is_removed()
    {
        await using var h = await ReadModelHarness.StartedAsync();
        await h.Writer.CreateTaskAsync("p", ct: h.Ct);
        await h.Writer.CreateTaskAsync("k", ct: h.Ct);
        await h.AppliedAsync(h.Writer.LinkAsync("p", "k", "contains", h.Ct));
        Assert.DoesNotContain("p", Ids(h.Model.ListTasks(new TaskListQuery { Ready = true }, Rules)));

        await h.AppliedAsync(h.Writer.UnlinkAsync("p", "k", "contains", h.Ct));

        Assert.Contains("p", Ids(h.Model.ListTasks(new TaskListQuery { Ready = true }, Rules)));
    }

    [Fact]
    public async Task Agent_qualification_needs_all_needed_tags_and_one_wanted_tag()
    {
        await using var h = await ReadModelHarness.StartedAsync();
        var w = h.Writer;
        await w.CreateTaskAsync("plain", ct: h.Ct);
        await w.CreateTaskAsync("needs-rust-and-db", needed: ["rust", "db"], ct: h.Ct);
        await w.CreateTaskAsync("wants-ui-or-ux", wanted: ["ui", "ux"], ct: h.Ct);
        await h.AppliedAsync(w.CreateTaskAsync("needs-rust-wants-ui", needed: ["rust"], wanted: ["ui"], ct: h.Ct));

        string[] For(params string[] tags) => [.. Ids(h.Model.ListTasks(new TaskListQuery { Ready = true, AgentTags = tags }, Rules)).Order()];

        Assert.Equal(["plain"], For());
        Assert.Equal(["plain"], For("rust"));
        Assert.Equal(["needs-rust-and-db", "plain"], For("rust", "db"));
        Assert.Equal(["plain", "wants-ui-or-ux"], For("ux"));
        Assert.Equal(["needs-rust-wants-ui", "plain", "wants-ui-or-ux"], For("rust", "ui"));
    }

    [Fact]
    public async Task Ready_tasks_come_by_priority_then_newest_first()
    {
        await using var h = await ReadModelHarness.StartedAsync();
        await h.Writer.CreateTaskAsync("old-low", priority: 1, ct: h.Ct);
        h.Advance(1);
        await h.Writer.CreateTaskAsync("old-high", priority: 9, ct: h.Ct);
        h.Advance(1);
        await h.Writer.CreateTaskAsync("new-low", priority: 1, ct: h.Ct);
        h.Advance(1);
        await h.AppliedAsync(h.Writer.CreateTaskAsync("new-high", priority: 9, ct: h.Ct));

        Assert.Equal(["new-high", "old-high", "new-low", "old-low"], Ids(h.Model.ListTasks(new TaskListQuery { Ready = true }, Rules)));
        Assert.Equal(["old-low", "old-high", "new-low", "new-high"], Ids(h.Model.ListTasks(new TaskListQuery { SortOrder = "asc" }, Rules)));
        Assert.Equal(["new-high", "new-low", "old-high", "old-low"], Ids(h.Model.ListTasks(new TaskListQuery(), Rules)));
        Assert.Equal(
            ["old-low", "new-low", "old-high", "new-high"],
            Ids(h.Model.ListTasks(new TaskListQuery { SortBy = "priority", SortOrder = "asc" }, Rules)));
    }

    [Fact]
    public async Task Sorting_by_updated_at_follows_the_last_change()
    {
        await using var h = await ReadModelHarness.StartedAsync();
        await h.Writer.CreateTaskAsync("a", ct: h.Ct);
        h.Advance(1);
        await h.Writer.CreateTaskAsync("b", ct: h.Ct);
        h.Advance(1);
        await h.AppliedAsync(h.Writer.ChangeTaskAsync("a", t => t with { Title = "touched" }, h.Ct));

        Assert.Equal(["a", "b"], Ids(h.Model.ListTasks(new TaskListQuery { SortBy = "updated_at" }, Rules)));
    }

    [Theory]
    [InlineData(3, 0, new[] { "t5", "t4", "t3" }, true)]
    [InlineData(5, 0, new[] { "t5", "t4", "t3", "t2", "t1" }, false)]
    [InlineData(2, 4, new[] { "t1" }, false)]
    [InlineData(2, 2, new[] { "t3", "t2" }, true)]
    [InlineData(3, 9, new string[0], false)]
    public async Task Limit_and_offset_page_with_has_more_computed_from_one_extra_row(int limit, int offset, string[] expected, bool hasMore)
    {
        await using var h = await ReadModelHarness.StartedAsync();
        for (var i = 1; i <= 5; i++)
        {
            await h.AppliedAsync(h.Writer.CreateTaskAsync($"t{i}", ct: h.Ct));
            h.Advance(1);
        }

        var page = h.Model.ListTasks(new TaskListQuery { Limit = limit, Offset = offset }, Rules);

        Assert.Equal(expected, Ids(page));
        Assert.Equal(hasMore, page.HasMore);
    }

    [Fact]
    public async Task No_limit_returns_everything_without_more()
    {
        await using var h = await ReadModelHarness.StartedAsync();
        for (var i = 1; i <= 4; i++)
        {
            await h.AppliedAsync(h.Writer.CreateTaskAsync($"t{i}", ct: h.Ct));
        }

        var page = h.Model.ListTasks(new TaskListQuery { Offset = 1 }, Rules);

        Assert.Equal(3, page.Tasks.Count);
        Assert.False(page.HasMore);
    }

    [Fact]
    public async Task Status_owner_claimed_phase_and_tag_filters_combine()
    {
        await using var h = await ReadModelHarness.StartedAsync();
        var w = h.Writer;
        await w.CreateTaskAsync("a", tags: ["x", "y"], phase: "design", ct: h.Ct);
        await w.CreateTaskAsync("b", tags: ["x"], phase: "implement", ct: h.Ct);
        await w.CreateTaskAsync("c", tags: ["z"], ct: h.Ct);
        await w.SetStatusAsync("b", "working", owner: "w1", ct: h.Ct);
        await h.AppliedAsync(w.SetStatusAsync("c", "assigned", owner: "w2", ct: h.Ct));

        string[] List(TaskListQuery q) => [.. Ids(h.Model.ListTasks(q, Rules)).Order()];

        Assert.Equal(["a", "b"], List(new TaskListQuery { Statuses = ["pending", "working"] }));
        Assert.Equal(["b", "c"], List(new TaskListQuery { Claimed = true }));
        Assert.Equal(["c"], List(new TaskListQuery { Owner = "w2" }));
        Assert.Equal(["a"], List(new TaskListQuery { Phase = "design" }));
        Assert.Equal(["a", "b", "c"], List(new TaskListQuery { TagsAny = ["y", "x", "z"] }));
        Assert.Equal(["a"], List(new TaskListQuery { TagsAll = ["x", "y"] }));
        Assert.Equal(["b"], List(new TaskListQuery { TagsAny = ["x"], Claimed = true }));
    }

    [Fact]
    public async Task Parent_lists_children_recursive_lists_all_descendants_and_null_lists_roots()
    {
        await using var h = await ReadModelHarness.StartedAsync();
        var w = h.Writer;
        foreach (var id in new[] { "root", "mid", "leaf", "other-root", "sibling" })
        {
            await w.CreateTaskAsync(id, ct: h.Ct);
        }

        await w.LinkAsync("root", "mid", "contains", h.Ct);
        await w.LinkAsync("mid", "leaf", "contains", h.Ct);
        await w.LinkAsync("root", "sibling", "contains", h.Ct);
        await h.AppliedAsync(w.LinkAsync("other-root", "leaf", "blocks", h.Ct));

        string[] List(TaskListQuery q) => [.. Ids(h.Model.ListTasks(q, Rules)).Order()];

        Assert.Equal(["mid", "sibling"], List(new TaskListQuery { Parent = "root" }));
        Assert.Equal(["leaf", "mid", "sibling"], List(new TaskListQuery { Parent = "root", Recursive = true }));
        Assert.Equal(["other-root", "root"], List(new TaskListQuery { Parent = "null" }));
        Assert.Equal(5, List(new TaskListQuery { Parent = "null", Recursive = true }).Length);
        Assert.Equal("mid", h.Model.Parent("leaf"));
        Assert.Null(h.Model.Parent("root"));
        Assert.Equal(["mid", "sibling"], h.Model.Children("root"));
        Assert.Equal([new("root", "mid", "contains"), new("root", "sibling", "contains")], h.Model.EdgesFrom("root"));
        Assert.Equal(2, h.Model.EdgesTo("leaf").Count);
    }

    [Fact]
    public async Task Soft_deleted_tasks_are_hidden_from_lists_but_get_returns_them()
    {
        await using var h = await ReadModelHarness.StartedAsync();
        await h.Writer.CreateTaskAsync("a", ct: h.Ct);
        await h.AppliedAsync(h.Writer.ChangeTaskAsync("a", t => t with { DeletedAt = h.NowMs, DeletedBy = "w1" }, h.Ct));

        Assert.Empty(h.Model.ListTasks(new TaskListQuery(), Rules).Tasks);
        Assert.True(h.Model.GetTask("a")?.IsDeleted);
    }

    [Fact]
    public async Task Tasks_owned_by_a_worker_and_workers_are_listed()
    {
        await using var h = await ReadModelHarness.StartedAsync();
        await h.Writer.PutWorkerAsync("w2", ["ui"], h.Ct);
        await h.Writer.PutWorkerAsync("w1", ["rust"], h.Ct);
        await h.Writer.CreateTaskAsync("a", ct: h.Ct);
        await h.Writer.CreateTaskAsync("b", ct: h.Ct);
        await h.AppliedAsync(h.Writer.SetStatusAsync("b", "working", owner: "w1", ct: h.Ct));

        Assert.Equal(["w1", "w2"], h.Model.Workers().Select(x => x.Id));
        Assert.Equal(["rust"], h.Model.Workers()[0].Tags);
        Assert.Equal(["b"], h.Model.TasksOwnedBy("w1").Select(t => t.Id));
    }

    [Fact]
    public async Task Scan_walks_predecessors_successors_parents_and_descendants_by_levels()
    {
        await using var h = await ReadModelHarness.StartedAsync();
        var w = h.Writer;
        foreach (var id in new[] { "p1", "p2", "x", "s1", "s2", "top", "up", "k1", "k2" })
        {
            await w.CreateTaskAsync(id, ct: h.Ct);
        }

        await w.LinkAsync("p2", "p1", "blocks", h.Ct);
        await w.LinkAsync("p1", "x", "follows", h.Ct);
        await w.LinkAsync("x", "s1", "blocks", h.Ct);
        await w.LinkAsync("s1", "s2", "blocks", h.Ct);
        await w.LinkAsync("top", "up", "contains", h.Ct);
        await w.LinkAsync("up", "x", "contains", h.Ct);
        await w.LinkAsync("x", "k1", "contains", h.Ct);
        await h.AppliedAsync(w.LinkAsync("k1", "k2", "contains", h.Ct));

        var one = h.Model.Scan("x", 1, 1, 1, 1);
        var all = h.Model.Scan("x", -1, -1, -1, -1);
        var none = h.Model.Scan("x", 0, 0, 0, 0);

        Assert.Equal("x", one.Root.Id);
        Assert.Equal(["p1"], one.Before.Select(t => t.Id));
        Assert.Equal(["s1"], one.After.Select(t => t.Id));
        Assert.Equal(["up"], one.Above.Select(t => t.Id));
        Assert.Equal(["k1"], one.Below.Select(t => t.Id));
        Assert.Equal(["p1", "p2"], all.Before.Select(t => t.Id));
        Assert.Equal(["s1", "s2"], all.After.Select(t => t.Id));
        Assert.Equal(["up", "top"], all.Above.Select(t => t.Id));
        Assert.Equal(["k1", "k2"], all.Below.Select(t => t.Id));
        Assert.Empty(none.Before);
        Assert.Equal(ErrorCodes.TaskNotFound, Assert.Throws<TaskGraphException>(() => h.Model.Scan("nope", 1, 1, 1, 1)).Code);
    }

    [Fact]
    public async Task Invalid_sort_arguments_are_rejected_with_the_field_named()
    {
        await using var h = await ReadModelHarness.StartedAsync();

        var bySort = Assert.Throws<TaskGraphException>(() => h.Model.ListTasks(new TaskListQuery { SortBy = "title" }, Rules));
        var byOrder = Assert.Throws<TaskGraphException>(() => h.Model.ListTasks(new TaskListQuery { SortOrder = "up" }, Rules));

        Assert.Equal(("sort_by", ErrorCodes.InvalidFieldValue), (bySort.Field, bySort.Code));
        Assert.Equal("sort_order", byOrder.Field);
    }

    private static List<string> Ids(TaskPage page) => [.. page.Tasks.Select(t => t.Id)];
}
