using TaskGraph.Core.Errors;
using TaskGraph.Core.Records;
using TaskGraph.Core.Tasks;

namespace TaskGraph.Tests.Rules.Tasks;

/// <summary>Catalogue §8 Tasks: create, create_tree, update fields, bad input.</summary>
[Trait("Lane", "fast")]
public sealed class TaskRulesTests
{
    [Fact]
    public async Task Minimal_create_is_pending_priority_5_and_unowned()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);

        var created = await h.Tasks.CreateAsync(new CreateTaskRequest { Title = "Write the parser" }, cts.Token);

        var task = await h.TaskAsync(created.Task.Id, cts.Token);
        Assert.Equal("pending", task.Status);
        Assert.Equal(5, task.Priority);
        Assert.Null(task.Owner);
        Assert.Matches("^[a-z]+-[a-z]+$", task.Id);
        Assert.Equal(RulesHarness.Epoch.ToUnixTimeMilliseconds(), task.CreatedAt);
        Assert.Null(task.StartedAt);
        Assert.Equal(0, task.TimeActualMs);
    }

    [Fact]
    public async Task Create_stores_every_field_and_clamps_priority()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);

        await h.Tasks.CreateAsync(
            new CreateTaskRequest
            {
                Id = "full",
                Title = "T",
                Description = "D",
                Priority = 42,
                Points = 3,
                TimeEstimateMs = 60_000,
                Tags = ["a", "b", "a"],
                Phase = "implement",
                NeededTags = ["rust"],
                WantedTags = ["db", "web"],
            },
            cts.Token);

        var task = await h.TaskAsync("full", cts.Token);
        Assert.Equal(("T", "D", 10, 3, 60_000L, "implement"), (task.Title, task.Description, task.Priority, task.Points!.Value, task.TimeEstimateMs!.Value, task.Phase));
        Assert.Equal(["a", "b"], task.Tags);
        Assert.Equal(["rust"], task.NeededTags);
        Assert.Equal(["db", "web"], task.WantedTags);
    }

    [Fact]
    public async Task Missing_title_is_taken_from_the_description_first_line_truncated_to_80()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);

        var created = await h.Tasks.CreateAsync(new CreateTaskRequest { Id = "d", Description = new string('x', 100) + "\nsecond line" }, cts.Token);

        Assert.Equal(new string('x', 80) + "...", created.Task.Title);
    }

    [Fact]
    public async Task Create_without_title_or_description_is_refused()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);

        var ex = await h.FailsCleanlyAsync(ErrorCodes.MissingRequiredField, () => h.Tasks.CreateAsync(new CreateTaskRequest { Id = "x" }, cts.Token), cts.Token);
        Assert.Equal("title or description is required", ex.Message);
    }

    [Fact]
    public async Task Duplicate_task_id_is_already_exists_and_keeps_the_original()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.Tasks.CreateAsync(new CreateTaskRequest { Id = "dup", Title = "first" }, cts.Token);

        await h.FailsCleanlyAsync(ErrorCodes.AlreadyExists, () => h.Tasks.CreateAsync(new CreateTaskRequest { Id = "dup", Title = "second" }, cts.Token), cts.Token);

        Assert.Equal("first", (await h.TaskAsync("dup", cts.Token)).Title);
    }

    public static TheoryData<CreateTaskRequest, string> OversizedCreates => new()
    {
        { new CreateTaskRequest { Id = new string('i', 65), Title = "t" }, "id" },
        { new CreateTaskRequest { Id = "x", Title = new string('t', 1001) }, "title" },
        { new CreateTaskRequest { Id = "x", Title = "t", Description = new string('d', 65_537) }, "description" },
        { new CreateTaskRequest { Id = "x", Title = "t", Tags = [new string('g', 65)] }, "tags" },
        { new CreateTaskRequest { Id = "x", Title = "t", NeededTags = [""] }, "needed_tags" },
        { new CreateTaskRequest { Id = "x", Title = "t", Phase = new string('p', 65) }, "phase" },
        { new CreateTaskRequest { Id = "x", Title = "t", Points = -1 }, "points" },
        { new CreateTaskRequest { Id = "x", Title = "t", TimeEstimateMs = -1 }, "time_estimate_ms" },
    };

    [Theory]
    [MemberData(nameof(OversizedCreates))]
    public async Task Oversized_or_negative_create_input_is_invalid_field_value_naming_the_field(CreateTaskRequest request, string field)
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);

        var ex = await h.FailsCleanlyAsync(ErrorCodes.InvalidFieldValue, () => h.Tasks.CreateAsync(request, cts.Token), cts.Token);

        Assert.Equal(field, ex.Field);
    }

    [Fact]
    public async Task Create_with_an_unknown_parent_is_task_not_found_and_creates_nothing()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);

        var ex = await h.FailsCleanlyAsync(ErrorCodes.TaskNotFound, () => h.CreateAsync("orphan", cts.Token, parent: "nobody"), cts.Token);

        Assert.Equal("parent", ex.Field);
    }

    [Fact]
    public async Task Create_with_a_parent_adds_a_contains_edge_and_children_keep_creation_order()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.CreateAsync("epic", cts.Token);
        await h.CreateAsync("c1", cts.Token, parent: "epic");
        await h.CreateAsync("c2", cts.Token, parent: "epic");

        Assert.Equal([new DependencyEdge("epic", "c1", "contains"), new DependencyEdge("epic", "c2", "contains")], await h.EdgesAsync(cts.Token));
    }

    [Fact]
    public async Task Create_tree_creates_pre_order_ids_with_child_and_sibling_edges()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.CreateAsync("existing", cts.Token);
        var tree = new TreeNode
        {
            Task = new CreateTaskRequest { Id = "root", Title = "root" },
            Children =
            [
                new TreeNode { Task = new CreateTaskRequest { Id = "a", Title = "a" } },
                new TreeNode { Ref = "existing" },
                new TreeNode { Task = new CreateTaskRequest { Id = "b", Title = "b" } },
            ],
        };

        var result = await h.Tasks.CreateTreeAsync(tree, null, "contains", "follows", null, cts.Token);

        Assert.Equal(["root", "a", "existing", "b"], result.AllIds);
        Assert.Equal("root", result.Root.Id);
        var edges = await h.EdgesAsync(cts.Token);
        Assert.Contains(new DependencyEdge("root", "existing", "contains"), edges);
        Assert.Contains(new DependencyEdge("a", "existing", "follows"), edges);
        Assert.Contains(new DependencyEdge("existing", "b", "follows"), edges);
        Assert.Equal(5, edges.Count);
    }

    [Fact]
    public async Task Create_tree_with_a_missing_ref_or_bad_type_creates_nothing()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        var tree = new TreeNode
        {
            Task = new CreateTaskRequest { Id = "root", Title = "root" },
            Children = [new TreeNode { Task = new CreateTaskRequest { Id = "a", Title = "a" } }, new TreeNode { Ref = "missing" }],
        };

        var missing = await h.FailsCleanlyAsync(ErrorCodes.TaskNotFound, () => h.Tasks.CreateTreeAsync(tree, null, "contains", null, null, cts.Token), cts.Token);
        await h.FailsCleanlyAsync(ErrorCodes.InvalidFieldValue, () => h.Tasks.CreateTreeAsync(tree, null, "owns", null, null, cts.Token), cts.Token);

        Assert.Equal("Referenced task 'missing' not found", missing.Message);
    }

    [Fact]
    public async Task Create_tree_that_would_give_an_existing_task_a_second_parent_creates_nothing()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.CreateAsync("p1", cts.Token);
        await h.CreateAsync("kid", cts.Token, parent: "p1");
        var tree = new TreeNode { Task = new CreateTaskRequest { Id = "p2", Title = "p2" }, Children = [new TreeNode { Ref = "kid" }] };

        await h.FailsCleanlyAsync(ErrorCodes.DependencyCycle, () => h.Tasks.CreateTreeAsync(tree, null, "contains", null, null, cts.Token), cts.Token);
    }

    [Fact]
    public async Task Update_changes_fields_without_a_status_change()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.CreateAsync("t", cts.Token);

        var result = await h.Tasks.UpdateAsync(
            new UpdateTaskRequest { WorkerId = "alice", TaskId = "t", Title = "new", Description = "more", Priority = -3, Points = 8, Tags = ["x"], Phase = "review" },
            cts.Token);

        var task = await h.TaskAsync("t", cts.Token);
        Assert.Equal(("new", "more", 0, 8, "review", "pending"), (task.Title, task.Description, task.Priority, task.Points!.Value, task.Phase, task.Status));
        Assert.Equal(["x"], task.Tags);
        Assert.Equal("t", result.Previous.Title);
        Assert.Null(task.Owner);
    }

    [Fact]
    public async Task Unknown_phase_warns_by_default_and_is_refused_when_the_workflow_rejects_it()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.CreateAsync("t", cts.Token);

        var warned = await h.Tasks.UpdateAsync(new UpdateTaskRequest { WorkerId = "alice", TaskId = "t", Phase = "dreaming" }, cts.Token);
        Assert.Contains("Unknown phase 'dreaming'", warned.PhaseWarning, StringComparison.Ordinal);

        h.Configure(c => c with { DefaultWorkflow = c.DefaultWorkflow with { Settings = c.DefaultWorkflow.Settings with { UnknownPhase = "reject" } } });
        var ex = await h.FailsCleanlyAsync(ErrorCodes.InvalidFieldValue, () => h.Tasks.UpdateAsync(new UpdateTaskRequest { WorkerId = "alice", TaskId = "t", Phase = "napping" }, cts.Token), cts.Token);
        Assert.Equal("phase", ex.Field);
    }

    [Fact]
    public async Task Update_of_an_unknown_task_or_by_an_unknown_worker_changes_nothing()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.CreateAsync("t", cts.Token);

        await h.FailsCleanlyAsync(ErrorCodes.TaskNotFound, () => h.SetStatusAsync("alice", "nope", "working", cts.Token), cts.Token);
        var agent = await h.FailsCleanlyAsync(ErrorCodes.AgentNotFound, () => h.SetStatusAsync("ghost", "t", "working", cts.Token), cts.Token);
        await h.FailsCleanlyAsync(ErrorCodes.TaskNotFound, () => h.Tasks.GetAsync("nope", cts.Token), cts.Token);

        Assert.Equal("worker_id", agent.Field);
    }

    public static TheoryData<UpdateTaskRequest, string> OversizedUpdates => new()
    {
        { new UpdateTaskRequest { WorkerId = "alice", TaskId = "t", Title = new string('t', 1001) }, "title" },
        { new UpdateTaskRequest { WorkerId = "alice", TaskId = "t", Description = new string('d', 65_537) }, "description" },
        { new UpdateTaskRequest { WorkerId = "alice", TaskId = "t", Reason = new string('r', 4097) }, "reason" },
        { new UpdateTaskRequest { WorkerId = "alice", TaskId = "t", Phase = new string('p', 65) }, "phase" },
        { new UpdateTaskRequest { WorkerId = "alice", TaskId = "t", Tags = [.. Enumerable.Range(0, 65).Select(i => $"t{i}")] }, "tags" },
        { new UpdateTaskRequest { WorkerId = "alice", TaskId = "t", Assignee = new string('a', 65) }, "assignee" },
        { new UpdateTaskRequest { WorkerId = "alice", TaskId = new string('i', 65) }, "task" },
        { new UpdateTaskRequest { WorkerId = new string('w', 65), TaskId = "t" }, "worker_id" },
    };

    [Theory]
    [MemberData(nameof(OversizedUpdates))]
    public async Task Oversized_update_input_is_invalid_field_value_naming_the_field(UpdateTaskRequest request, string field)
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.CreateAsync("t", cts.Token);

        var ex = await h.FailsCleanlyAsync(ErrorCodes.InvalidFieldValue, () => h.Tasks.UpdateAsync(request, cts.Token), cts.Token);

        Assert.Equal(field, ex.Field);
    }

    [Fact]
    public async Task Unknown_state_and_illegal_transition_are_invalid_state_and_change_nothing()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.CreateAsync("t", cts.Token);

        var unknown = await h.FailsCleanlyAsync(ErrorCodes.InvalidState, () => h.SetStatusAsync("alice", "t", "dancing", cts.Token), cts.Token);
        var illegal = await h.FailsCleanlyAsync(ErrorCodes.InvalidState, () => h.SetStatusAsync("alice", "t", "completed", cts.Token), cts.Token);
        var forced = await h.FailsCleanlyAsync(ErrorCodes.InvalidState, () => h.SetStatusAsync("alice", "t", "failed", cts.Token, force: true), cts.Token);

        Assert.StartsWith("Invalid state 'dancing'. Valid states: [pending, assigned, working, completed, failed, cancelled]", unknown.Message, StringComparison.Ordinal);
        Assert.Equal("Invalid transition from 'pending' to 'completed'. Allowed transitions: [assigned, working, cancelled]", illegal.Message);
        Assert.Equal("status", forced.Field);
        Assert.Equal("pending", (await h.TaskAsync("t", cts.Token)).Status);
    }

    [Fact]
    public async Task A_cancelled_task_is_terminal()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.CreateAsync("t", cts.Token);
        await h.SetStatusAsync("alice", "t", "cancelled", cts.Token);

        await h.FailsCleanlyAsync(ErrorCodes.InvalidState, () => h.SetStatusAsync("alice", "t", "pending", cts.Token), cts.Token);
        await h.FailsCleanlyAsync(ErrorCodes.InvalidState, () => h.Tasks.ClaimAsync("alice", "t", false, cts.Token), cts.Token);
    }

    [Fact]
    public async Task Completing_a_parent_with_open_children_is_refused_even_with_force()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.CreateAsync("epic", cts.Token);
        await h.CreateAsync("kid", cts.Token, parent: "epic");
        await h.Tasks.ClaimAsync("alice", "epic", false, cts.Token);

        var ex = await h.FailsCleanlyAsync(ErrorCodes.InvalidState, () => h.SetStatusAsync("alice", "epic", "completed", cts.Token, force: true), cts.Token);
        Assert.Equal("Cannot complete task: 1 child task(s) are not complete", ex.Message);

        await h.Tasks.ClaimAsync("alice", "kid", false, cts.Token);
        await h.SetStatusAsync("alice", "kid", "completed", cts.Token);
        await h.SetStatusAsync("alice", "epic", "completed", cts.Token);
        Assert.Equal("completed", (await h.TaskAsync("epic", cts.Token)).Status);
    }
}
