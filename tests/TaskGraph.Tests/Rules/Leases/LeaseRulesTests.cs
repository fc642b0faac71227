using TaskGraph.Core.Errors;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Tasks;
using TaskGraph.Core.Workers;

namespace TaskGraph.Tests.Rules.Leases;

/// <summary>
/// Leases are data: a worker's heartbeat deadline. Past it, others take its work without force, the sweeper releases it,
/// and the dead worker's late writes are refused (ARCHITECTURE, Leases).
/// </summary>
[Trait("Lane", "fast")]
public sealed class LeaseRulesTests
{
    private static readonly TimeSpan PastTimeout = TimeSpan.FromSeconds(901);

    [Fact]
    public async Task After_the_stale_timeout_another_agent_claims_the_dead_agents_task_without_force()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("dead", cts.Token);
        await h.CreateAsync("t", cts.Token);
        var first = await h.Tasks.ClaimAsync("dead", "t", false, cts.Token);
        h.Advance(PastTimeout);
        await h.ConnectAsync("alive", cts.Token);

        var taken = await h.Tasks.ClaimAsync("alive", "t", false, cts.Token);

        Assert.Equal("alive", taken.Task.Owner);
        Assert.True(taken.Task.LeaseEpoch > first.Task.LeaseEpoch);
        Assert.Empty((await h.WorkerAsync("dead", cts.Token))!.Claims);
    }

    [Fact]
    public async Task Before_the_timeout_the_claim_still_holds()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("slow", cts.Token);
        await h.CreateAsync("t", cts.Token);
        await h.Tasks.ClaimAsync("slow", "t", false, cts.Token);
        h.Advance(TimeSpan.FromSeconds(899));
        await h.ConnectAsync("eager", cts.Token);

        await h.FailsCleanlyAsync(ErrorCodes.AlreadyClaimed, () => h.Tasks.ClaimAsync("eager", "t", false, cts.Token), cts.Token);
    }

    [Fact]
    public async Task Thinking_renews_the_lease()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("busy", cts.Token);
        await h.CreateAsync("t", cts.Token);
        await h.Tasks.ClaimAsync("busy", "t", false, cts.Token);

        h.Advance(TimeSpan.FromSeconds(600));
        await h.Workers.ThinkingAsync("busy", "still here", null, cts.Token);
        h.Advance(TimeSpan.FromSeconds(600));
        await h.ConnectAsync("eager", cts.Token);

        await h.FailsCleanlyAsync(ErrorCodes.AlreadyClaimed, () => h.Tasks.ClaimAsync("eager", "t", false, cts.Token), cts.Token);
        Assert.Empty((await h.Sweeper.SweepAsync(null, null, "test", cts.Token)).EvictedWorkerIds);
    }

    [Fact]
    public async Task The_dead_agents_late_write_is_lease_expired_then_not_owner_after_it_reconnects()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("dead", cts.Token);
        await h.CreateAsync("t", cts.Token);
        await h.Tasks.ClaimAsync("dead", "t", false, cts.Token);
        h.Advance(PastTimeout);
        await h.ConnectAsync("alive", cts.Token);
        await h.Tasks.ClaimAsync("alive", "t", false, cts.Token);

        var expired = await h.FailsCleanlyAsync(ErrorCodes.LeaseExpired, () => h.SetStatusAsync("dead", "t", "completed", cts.Token), cts.Token);
        Assert.Equal("worker_id", expired.Field);
        await h.FailsCleanlyAsync(ErrorCodes.LeaseExpired, () => h.Workers.ThinkingAsync("dead", "I am fine", null, cts.Token), cts.Token);

        await h.Workers.ConnectAsync(new ConnectRequest { WorkerId = "dead", Force = true }, cts.Token);
        await h.FailsCleanlyAsync(ErrorCodes.NotOwner, () => h.SetStatusAsync("dead", "t", "completed", cts.Token), cts.Token);
        await h.FailsCleanlyAsync(ErrorCodes.AlreadyClaimed, () => h.Tasks.ClaimAsync("dead", "t", false, cts.Token), cts.Token);
        Assert.Equal(("working", "alive"), ((await h.TaskAsync("t", cts.Token)).Status, (await h.TaskAsync("t", cts.Token)).Owner));
    }

    [Fact]
    public async Task A_late_worker_that_reconnects_before_anyone_takes_over_keeps_its_claims()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("flaky", cts.Token);
        await h.CreateAsync("t", cts.Token);
        await h.Tasks.ClaimAsync("flaky", "t", false, cts.Token);
        h.Advance(PastTimeout);

        await h.Workers.ConnectAsync(new ConnectRequest { WorkerId = "flaky", Force = true }, cts.Token);
        await h.SetStatusAsync("flaky", "t", "completed", cts.Token);

        Assert.Equal("completed", (await h.TaskAsync("t", cts.Token)).Status);
    }

    [Fact]
    public async Task The_sweeper_releases_a_dead_workers_tasks_to_the_disconnect_state_and_its_marks()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("dead", cts.Token);
        await h.CreateAsync("t1", cts.Token);
        await h.CreateAsync("t2", cts.Token);
        await h.Tasks.ClaimAsync("dead", "t1", false, cts.Token);
        await h.Tasks.ClaimAsync("dead", "t2", false, cts.Token);
        await h.Marks.MarkAsync("dead", ["a.cs", "lock:deploy"], "t1", null, cts.Token);
        h.Advance(TimeSpan.FromSeconds(30));
        await h.ConnectAsync("alive", cts.Token);
        await h.Marks.MarkAsync("alive", ["b.cs"], null, null, cts.Token);
        h.Advance(TimeSpan.FromSeconds(880));

        var swept = await h.Sweeper.SweepAsync(null, null, "sweeper", cts.Token);

        Assert.Equal(["dead"], swept.EvictedWorkerIds);
        Assert.Equal((2, 2, "pending"), (swept.TasksReleased, swept.FilesReleased, swept.FinalStatus));
        Assert.Null(await h.WorkerAsync("dead", cts.Token));
        Assert.NotNull(await h.WorkerAsync("alive", cts.Token));
        foreach (var id in new[] { "t1", "t2" })
        {
            var task = await h.TaskAsync(id, cts.Token);
            Assert.Equal(("pending", null, "evict"), (task.Status, task.Owner, task.Change!.Kind));
            Assert.Contains("no heartbeat", task.Change.Reason, StringComparison.Ordinal);
            Assert.Equal(910_000, task.TimeActualMs);
        }

        var marks = await h.Store.ListAsync(RecordKeys.MarkPrefix, cts.Token);
        Assert.Equal("alive", RecordJson.Deserialize<MarkRecord>(Assert.Single(marks).Value).Agent);

        // Idempotent: a second sweep (another node) finds nothing more to do.
        var again = await h.Sweeper.SweepAsync(null, null, "sweeper", cts.Token);
        Assert.Empty(again.EvictedWorkerIds);
        Assert.Equal(0, again.TasksReleased);
    }

    [Fact]
    public async Task After_a_sweep_the_evicted_agents_write_is_refused_and_it_can_connect_again()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("dead", cts.Token);
        await h.CreateAsync("t", cts.Token);
        await h.Tasks.ClaimAsync("dead", "t", false, cts.Token);
        h.Advance(PastTimeout);
        await h.Sweeper.SweepAsync(null, null, "sweeper", cts.Token);

        await h.FailsCleanlyAsync(ErrorCodes.AgentNotFound, () => h.SetStatusAsync("dead", "t", "completed", cts.Token), cts.Token);

        await h.ConnectAsync("dead", cts.Token);
        await h.Tasks.ClaimAsync("dead", "t", false, cts.Token);
    }

    [Fact]
    public async Task Cleanup_with_an_explicit_timeout_and_final_status_evicts_quiet_workers()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("quiet", cts.Token);
        await h.CreateAsync("t", cts.Token);
        await h.Tasks.ClaimAsync("quiet", "t", false, cts.Token);
        h.Advance(TimeSpan.FromSeconds(301));

        var result = await h.Workers.CleanupStaleAsync(300, "failed", "admin", cts.Token);

        Assert.Equal(["quiet"], result.EvictedWorkerIds);
        Assert.Equal("failed", (await h.TaskAsync("t", cts.Token)).Status);
        await RulesHarness.FailsAsync(ErrorCodes.InvalidFieldValue, () => h.Workers.CleanupStaleAsync(-1, null, null, cts.Token));
    }

    [Fact]
    public async Task A_bystanders_edit_of_a_dead_agents_working_task_does_not_take_it_over_but_an_explicit_claim_does()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("dead", cts.Token);
        await h.CreateAsync("t", cts.Token);
        await h.Tasks.ClaimAsync("dead", "t", false, cts.Token);
        h.Advance(PastTimeout);
        await h.ConnectAsync("editor", cts.Token);

        // Editing a field is not a claim: ownership only moves by claim or an explicit timed status (the sweeper releases the rest).
        var edited = await h.Tasks.UpdateAsync(new UpdateTaskRequest { WorkerId = "editor", TaskId = "t", Description = "clarified" }, cts.Token);
        Assert.Equal(("working", "dead", "clarified"), (edited.Task.Status, edited.Task.Owner, edited.Task.Description));
        Assert.Empty((await h.WorkerAsync("editor", cts.Token))!.Claims);

        // An explicit claim takes the dead agent's task over without force.
        var claimed = await h.Tasks.ClaimAsync("editor", "t", false, cts.Token);
        Assert.Equal(("working", "editor"), (claimed.Task.Status, claimed.Task.Owner));
        Assert.Equal(["t"], (await h.WorkerAsync("editor", cts.Token))!.Claims.Select(c => c.TaskId));
        Assert.Empty((await h.WorkerAsync("dead", cts.Token))!.Claims);
    }
}
