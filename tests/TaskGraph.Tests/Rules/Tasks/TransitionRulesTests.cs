using TaskGraph.Core.Configuration;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Tasks;
using TaskGraph.Core.Workflows;

namespace TaskGraph.Tests.Rules.Tasks;

/// <summary>Catalogue §8 Transitions and Auto-advance: time accrues only in timed states; history is the change log.</summary>
[Trait("Lane", "fast")]
public sealed class TransitionRulesTests
{
    private static readonly long T0 = RulesHarness.Epoch.ToUnixTimeMilliseconds();

    [Fact]
    public async Task Time_accrues_only_while_working_and_started_and_completed_are_stamped()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.CreateAsync("t", cts.Token);

        h.Advance(TimeSpan.FromSeconds(5));
        await h.Tasks.ClaimAsync("alice", "t", false, cts.Token);
        var claimed = await h.TaskAsync("t", cts.Token);
        Assert.Equal(T0 + 5_000, claimed.StartedAt);
        Assert.Equal(T0 + 5_000, claimed.ClaimedAt);
        Assert.Equal(0, claimed.TimeActualMs);

        h.Advance(TimeSpan.FromSeconds(3));
        await h.SetStatusAsync("alice", "t", "completed", cts.Token);
        var done = await h.TaskAsync("t", cts.Token);
        Assert.Equal(3_000, done.TimeActualMs);
        Assert.Equal(T0 + 8_000, done.CompletedAt);
        Assert.Equal(T0 + 5_000, done.StartedAt);
        Assert.Null(done.Owner);

        h.Advance(TimeSpan.FromSeconds(60));
        await h.SetStatusAsync("alice", "t", "pending", cts.Token);
        Assert.Equal(3_000, (await h.TaskAsync("t", cts.Token)).TimeActualMs);
    }

    [Fact]
    public async Task Two_work_cycles_accrue_and_started_at_keeps_the_first_entry()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.CreateAsync("t", cts.Token);

        await h.Tasks.ClaimAsync("alice", "t", false, cts.Token);
        h.Advance(TimeSpan.FromMilliseconds(1_500));
        await h.SetStatusAsync("alice", "t", "pending", cts.Token);
        h.Advance(TimeSpan.FromSeconds(100));
        await h.Tasks.ClaimAsync("alice", "t", false, cts.Token);
        h.Advance(TimeSpan.FromMilliseconds(2_500));
        await h.SetStatusAsync("alice", "t", "completed", cts.Token);

        var task = await h.TaskAsync("t", cts.Token);
        Assert.Equal(4_000, task.TimeActualMs);
        Assert.Equal(T0, task.StartedAt);
        Assert.Equal(T0 + 104_000, task.CompletedAt);
    }

    [Fact]
    public async Task Releasing_accrues_the_working_time_and_clears_the_owner()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.CreateAsync("t", cts.Token);
        await h.Tasks.ClaimAsync("alice", "t", false, cts.Token);
        h.Advance(TimeSpan.FromSeconds(7));

        await h.SetStatusAsync("alice", "t", "pending", cts.Token);

        var task = await h.TaskAsync("t", cts.Token);
        Assert.Equal(("pending", null, 7_000L), (task.Status, task.Owner, task.TimeActualMs));
        Assert.Null(task.ClaimedAt);
    }

    [Fact]
    public async Task Moving_between_two_timed_states_keeps_the_owner_and_accrues_both()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(TwoTimedStates(), cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.CreateAsync("t", cts.Token);
        await h.Tasks.ClaimAsync("alice", "t", false, cts.Token);
        h.Advance(TimeSpan.FromSeconds(2));

        await h.SetStatusAsync("alice", "t", "review", cts.Token);
        h.Advance(TimeSpan.FromSeconds(3));
        var reviewing = await h.TaskAsync("t", cts.Token);
        Assert.Equal(("review", "alice", 2_000L), (reviewing.Status, reviewing.Owner, reviewing.TimeActualMs));

        await h.SetStatusAsync("alice", "t", "completed", cts.Token);
        Assert.Equal(5_000, (await h.TaskAsync("t", cts.Token)).TimeActualMs);
        var history = await HistoryAsync(h, "t", cts.Token);
        Assert.Equal(["pending", "working", "review", "completed"], history.Select(r => r.Status));
        Assert.Equal([null, "alice", "alice", null], history.Select(r => r.Owner));
    }

    [Fact]
    public async Task Same_state_update_writes_no_transition_and_failed_then_pending_has_no_owner()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.CreateAsync("t", cts.Token);
        await h.Tasks.ClaimAsync("alice", "t", false, cts.Token);
        h.Advance(TimeSpan.FromSeconds(1));

        var same = await h.SetStatusAsync("alice", "t", "working", cts.Token);
        Assert.Equal(0, same.Task.TimeActualMs);
        await h.SetStatusAsync("alice", "t", "failed", cts.Token);
        await h.SetStatusAsync("alice", "t", "pending", cts.Token);
        await h.SetStatusAsync("alice", "t", "pending", cts.Token);

        var task = await h.TaskAsync("t", cts.Token);
        Assert.Null(task.Owner);
        Assert.Equal(1_000, task.TimeActualMs);
        var statuses = await HistoryAsync(h, "t", cts.Token);
        Assert.Equal(["pending", "working", "failed", "pending"], statuses.Where(c => c.Change?.FromStatus != c.Status).Select(c => c.Status));
    }

    [Fact]
    public async Task History_records_every_transition_once_in_commit_order_with_actor_and_reason()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.CreateAsync("t", cts.Token);
        await h.Tasks.ClaimAsync("alice", "t", false, cts.Token);
        await h.SetStatusAsync("alice", "t", "completed", cts.Token);
        await h.Tasks.UpdateAsync(new UpdateTaskRequest { WorkerId = "alice", TaskId = "t", Status = "pending", Reason = "Task needs rework" }, cts.Token);

        var history = await HistoryAsync(h, "t", cts.Token);

        Assert.Equal(["pending", "working", "completed", "pending"], history.Select(r => r.Status));
        Assert.Equal([null, "pending", "working", "completed"], history.Select(r => r.Change!.FromStatus));
        Assert.All(history.Skip(1), r => Assert.Equal("alice", r.Change!.Actor));
        Assert.Equal("Task needs rework", history[^1].Change!.Reason);
        Assert.Null(history[^1].Owner);
    }

    [Fact]
    public async Task Completing_a_blocker_reports_unblocked_dependents_without_moving_them_by_default()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.CreateAsync("a", cts.Token);
        await h.CreateAsync("b", cts.Token);
        await h.LinkAsync("a", "b", cts.Token);
        await h.Tasks.ClaimAsync("alice", "a", false, cts.Token);

        var result = await h.SetStatusAsync("alice", "a", "completed", cts.Token);

        Assert.Equal(["b"], result.Unblocked);
        Assert.Empty(result.AutoAdvanced);
        Assert.Equal("pending", (await h.TaskAsync("b", cts.Token)).Status);
    }

    [Fact]
    public async Task Auto_advance_moves_a_fully_unblocked_initial_task_to_the_target_state()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(AutoAdvanceTo("cancelled"), cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.CreateAsync("a", cts.Token);
        await h.CreateAsync("b", cts.Token);
        await h.LinkAsync("a", "b", cts.Token);
        await h.Tasks.ClaimAsync("alice", "a", false, cts.Token);

        var result = await h.SetStatusAsync("alice", "a", "completed", cts.Token);

        Assert.Equal(["b"], result.Unblocked);
        Assert.Equal(["b"], result.AutoAdvanced);
        var b = await h.TaskAsync("b", cts.Token);
        Assert.Equal("cancelled", b.Status);
        Assert.Equal(("auto-advance", "auto-advanced: blocker 'a' completed"), (b.Change!.Kind, b.Change.Reason));
    }

    [Fact]
    public async Task Auto_advance_waits_for_all_blockers()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(AutoAdvanceTo("cancelled"), cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        foreach (var id in new[] { "a1", "a2", "b" })
        {
            await h.CreateAsync(id, cts.Token);
        }

        await h.LinkAsync("a1", "b", cts.Token);
        await h.LinkAsync("a2", "b", cts.Token);
        await h.Tasks.ClaimAsync("alice", "a1", false, cts.Token);
        await h.Tasks.ClaimAsync("alice", "a2", false, cts.Token);

        var first = await h.SetStatusAsync("alice", "a1", "completed", cts.Token);
        Assert.Empty(first.Unblocked);
        Assert.Equal("pending", (await h.TaskAsync("b", cts.Token)).Status);

        var second = await h.SetStatusAsync("alice", "a2", "completed", cts.Token);
        Assert.Equal(["b"], second.AutoAdvanced);
        Assert.Equal("cancelled", (await h.TaskAsync("b", cts.Token)).Status);
    }

    [Fact]
    public async Task Auto_advance_skips_non_initial_and_owned_dependents_and_does_not_cascade()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(AutoAdvanceTo("cancelled"), cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        foreach (var id in new[] { "a", "assigned", "chain1", "chain2" })
        {
            await h.CreateAsync(id, cts.Token);
        }

        await h.LinkAsync("a", "assigned", cts.Token);
        await h.LinkAsync("a", "chain1", cts.Token);
        await h.LinkAsync("chain1", "chain2", cts.Token);
        await h.Tasks.UpdateAsync(new UpdateTaskRequest { WorkerId = "alice", TaskId = "assigned", Assignee = "alice" }, cts.Token);
        await h.Tasks.ClaimAsync("alice", "a", false, cts.Token);

        var result = await h.SetStatusAsync("alice", "a", "completed", cts.Token);

        Assert.Equal(["chain1"], result.AutoAdvanced);
        Assert.Equal("assigned", (await h.TaskAsync("assigned", cts.Token)).Status);
        Assert.Equal("cancelled", (await h.TaskAsync("chain1", cts.Token)).Status);
        Assert.Equal("pending", (await h.TaskAsync("chain2", cts.Token)).Status);
    }

    private static TaskGraphConfig AutoAdvanceTo(string target) => new() { AutoAdvance = new AutoAdvanceSettings { Enabled = true, TargetState = target } };

    private static TaskGraphConfig TwoTimedStates()
    {
        var states = new Dictionary<string, StateDefinition>(WorkflowDefinition.DefaultStates())
        {
            ["working"] = new() { Exits = ["review", "completed", "failed", "pending"], Timed = true },
            ["review"] = new() { Exits = ["completed", "working", "pending"], Timed = true },
        };
        var workflow = new WorkflowDefinition
        {
            States = states,
            Settings = new WorkflowSettings { BlockingStates = ["pending", "assigned", "working", "review"] },
        };
        return new TaskGraphConfig { DefaultWorkflow = workflow };
    }

    private static async Task<IReadOnlyList<TaskRecord>> HistoryAsync(RulesHarness h, string id, CancellationToken cancellationToken) =>
        [.. (await h.Store.HistoryAsync(RecordKeys.Task(id), 0, cancellationToken))
            .Where(c => c.Kind == ChangeKind.Put)
            .Select(c => RecordJson.Deserialize<TaskRecord>(c.Value))
            .Where(t => t.Change?.Kind is not ("thought" or "update"))];
}
