using TaskGraph.Core.Errors;
using TaskGraph.Core.Tasks;

namespace TaskGraph.Tests.Rules.Claims;

/// <summary>Catalogue §8 Claiming and the claim limit (ARCHITECTURE invariant 7).</summary>
[Trait("Lane", "fast")]
public sealed class ClaimRulesTests
{
    [Fact]
    public async Task Claim_sets_owner_working_claimed_at_and_started_at_and_reserves_a_slot()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.CreateAsync("t", cts.Token);

        var result = await h.Tasks.ClaimAsync("alice", "t", false, cts.Token);

        Assert.Equal(("working", "alice"), (result.Task.Status, result.Task.Owner));
        Assert.NotNull(result.Task.ClaimedAt);
        Assert.NotNull(result.Task.StartedAt);
        Assert.Equal(["t"], (await h.WorkerAsync("alice", cts.Token))!.Claims.Select(c => c.TaskId));
    }

    [Fact]
    public async Task Claiming_your_own_claimed_task_again_is_a_no_op()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.CreateAsync("t", cts.Token);
        await h.Tasks.ClaimAsync("alice", "t", false, cts.Token);

        var again = await h.Tasks.ClaimAsync("alice", "t", false, cts.Token);

        Assert.Equal("alice", again.Task.Owner);
        Assert.Single((await h.WorkerAsync("alice", cts.Token))!.Claims);
    }

    [Fact]
    public async Task Claim_of_a_task_another_live_worker_owns_is_already_claimed_and_changes_nothing()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.ConnectAsync("bob", cts.Token);
        await h.CreateAsync("t", cts.Token);
        await h.Tasks.ClaimAsync("alice", "t", false, cts.Token);

        var ex = await h.FailsCleanlyAsync(ErrorCodes.AlreadyClaimed, () => h.Tasks.ClaimAsync("bob", "t", false, cts.Token), cts.Token);

        Assert.Equal("Task is already claimed by agent 'alice'", ex.Message);
        Assert.Empty((await h.WorkerAsync("bob", cts.Token))!.Claims);
    }

    [Fact]
    public async Task Force_claim_steals_the_task_and_moves_the_reservation()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.ConnectAsync("bob", cts.Token);
        await h.CreateAsync("t", cts.Token);
        var first = await h.Tasks.ClaimAsync("alice", "t", false, cts.Token);

        var stolen = await h.Tasks.ClaimAsync("bob", "t", true, cts.Token);

        Assert.Equal("bob", stolen.Task.Owner);
        Assert.True(stolen.Task.LeaseEpoch > first.Task.LeaseEpoch);
        Assert.Empty((await h.WorkerAsync("alice", cts.Token))!.Claims);
        Assert.Equal(["t"], (await h.WorkerAsync("bob", cts.Token))!.Claims.Select(c => c.TaskId));
        await h.FailsCleanlyAsync(ErrorCodes.NotOwner, () => h.SetStatusAsync("alice", "t", "completed", cts.Token), cts.Token);
    }

    [Fact]
    public async Task Non_owner_release_is_refused_and_force_release_works()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.ConnectAsync("bob", cts.Token);
        await h.CreateAsync("t", cts.Token);
        await h.Tasks.ClaimAsync("alice", "t", false, cts.Token);

        var ex = await h.FailsCleanlyAsync(ErrorCodes.NotOwner, () => h.SetStatusAsync("bob", "t", "pending", cts.Token), cts.Token);
        Assert.Contains("Only the owner can update claimed tasks", ex.Message, StringComparison.Ordinal);

        await h.SetStatusAsync("bob", "t", "pending", cts.Token, force: true);
        var task = await h.TaskAsync("t", cts.Token);
        Assert.Equal(("pending", null), (task.Status, task.Owner));
        Assert.Empty((await h.WorkerAsync("alice", cts.Token))!.Claims);
    }

    [Fact]
    public async Task Update_to_a_timed_state_claims_and_update_to_pending_releases()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.CreateAsync("t", cts.Token);

        var claimed = await h.SetStatusAsync("alice", "t", "working", cts.Token);
        Assert.Equal("alice", claimed.Task.Owner);

        var released = await h.SetStatusAsync("alice", "t", "pending", cts.Token);
        Assert.Null(released.Task.Owner);
        Assert.Empty((await h.WorkerAsync("alice", cts.Token))!.Claims);
    }

    [Fact]
    public async Task Needed_tags_must_all_be_held_and_wanted_tags_need_one_even_with_force()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("partial", cts.Token, "rust");
        await h.ConnectAsync("full", cts.Token, "rust", "db");
        await h.ConnectAsync("neither", cts.Token, "rust", "db", "go");
        await h.Tasks.CreateAsync(new CreateTaskRequest { Id = "needs", Title = "n", NeededTags = ["rust", "db"] }, cts.Token);
        await h.Tasks.CreateAsync(new CreateTaskRequest { Id = "wants", Title = "w", WantedTags = ["web", "ui"] }, cts.Token);

        var missing = await h.FailsCleanlyAsync(ErrorCodes.TagMismatch, () => h.Tasks.ClaimAsync("partial", "needs", true, cts.Token), cts.Token);
        var none = await h.FailsCleanlyAsync(ErrorCodes.TagMismatch, () => h.Tasks.ClaimAsync("neither", "wants", true, cts.Token), cts.Token);
        await h.Tasks.ClaimAsync("full", "needs", false, cts.Token);

        Assert.Equal("Agent missing required tag: db", missing.Message);
        Assert.StartsWith("Agent has none of the wanted tags", none.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Completing_clears_the_owner_stamps_completed_at_and_frees_the_slot()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.CreateAsync("t", cts.Token);
        await h.Tasks.ClaimAsync("alice", "t", false, cts.Token);

        await h.SetStatusAsync("alice", "t", "completed", cts.Token);

        var task = await h.TaskAsync("t", cts.Token);
        Assert.Equal(("completed", null), (task.Status, task.Owner));
        Assert.NotNull(task.CompletedAt);
        Assert.Empty((await h.WorkerAsync("alice", cts.Token))!.Claims);
    }

    [Fact]
    public async Task Claim_with_an_unsatisfied_blocker_names_the_direct_blocker_and_changes_nothing()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        foreach (var id in new[] { "a", "b", "c" })
        {
            await h.CreateAsync(id, cts.Token);
        }

        await h.LinkAsync("a", "b", cts.Token);
        await h.LinkAsync("b", "c", cts.Token, "follows");

        var ex = await h.FailsCleanlyAsync(ErrorCodes.DependencyNotSatisfied, () => h.Tasks.ClaimAsync("alice", "c", false, cts.Token), cts.Token);

        Assert.Contains("unsatisfied dependencies", ex.Message, StringComparison.Ordinal);
        Assert.Equal(["b"], ex.BlockedBy);
        Assert.Empty((await h.WorkerAsync("alice", cts.Token))!.Claims);
    }

    [Fact]
    public async Task Claim_succeeds_once_the_blocker_completes_and_force_bypasses_dependencies()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        foreach (var id in new[] { "a", "b", "x", "y" })
        {
            await h.CreateAsync(id, cts.Token);
        }

        await h.LinkAsync("a", "b", cts.Token);
        await h.LinkAsync("x", "y", cts.Token);

        await h.Tasks.ClaimAsync("alice", "a", false, cts.Token);
        await h.SetStatusAsync("alice", "a", "completed", cts.Token);
        Assert.Equal("alice", (await h.Tasks.ClaimAsync("alice", "b", false, cts.Token)).Task.Owner);
        Assert.Equal("alice", (await h.Tasks.ClaimAsync("alice", "y", true, cts.Token)).Task.Owner);
    }

    [Fact]
    public async Task An_assignee_starting_work_still_needs_its_blockers_done()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("lead", cts.Token);
        await h.ConnectAsync("dev", cts.Token);
        await h.CreateAsync("a", cts.Token);
        await h.CreateAsync("b", cts.Token);
        await h.LinkAsync("a", "b", cts.Token);

        var assigned = await h.Tasks.UpdateAsync(new UpdateTaskRequest { WorkerId = "lead", TaskId = "b", Assignee = "dev" }, cts.Token);
        Assert.Equal(("assigned", "dev"), (assigned.Task.Status, assigned.Task.Owner));

        await h.FailsCleanlyAsync(ErrorCodes.DependencyNotSatisfied, () => h.Tasks.ClaimAsync("dev", "b", false, cts.Token), cts.Token);
    }

    [Fact]
    public async Task Assigning_a_blocked_task_straight_into_a_timed_state_needs_its_blockers_done()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("lead", cts.Token);
        await h.ConnectAsync("dev", cts.Token);
        await h.CreateAsync("a", cts.Token);
        await h.CreateAsync("b", cts.Token);
        await h.LinkAsync("a", "b", cts.Token);

        var ex = await h.FailsCleanlyAsync(
            ErrorCodes.DependencyNotSatisfied,
            () => h.Tasks.UpdateAsync(new UpdateTaskRequest { WorkerId = "lead", TaskId = "b", Assignee = "dev", Status = "working" }, cts.Token),
            cts.Token);

        Assert.Equal(["a"], ex.BlockedBy);
        Assert.Empty((await h.WorkerAsync("dev", cts.Token))!.Claims);
        var forced = await h.Tasks.UpdateAsync(new UpdateTaskRequest { WorkerId = "lead", TaskId = "b", Assignee = "dev", Status = "working", Force = true }, cts.Token);
        Assert.Equal(("working", "dev"), (forced.Task.Status, forced.Task.Owner));
    }

    [Fact]
    public async Task Assigning_to_an_unknown_worker_is_agent_not_found()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("lead", cts.Token);
        await h.CreateAsync("t", cts.Token);

        var ex = await h.FailsCleanlyAsync(ErrorCodes.AgentNotFound, () => h.Tasks.UpdateAsync(new UpdateTaskRequest { WorkerId = "lead", TaskId = "t", Assignee = "ghost" }, cts.Token), cts.Token);
        Assert.Equal("assignee", ex.Field);
    }

    [Fact]
    public async Task The_sixth_claim_is_refused_with_claim_limit_reached_by_default_and_a_release_frees_a_slot()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        for (var i = 0; i < 7; i++)
        {
            await h.CreateAsync($"t{i}", cts.Token);
        }

        for (var i = 0; i < 5; i++)
        {
            await h.Tasks.ClaimAsync("alice", $"t{i}", false, cts.Token);
        }

        var ex = await h.FailsCleanlyAsync(ErrorCodes.ClaimLimitReached, () => h.Tasks.ClaimAsync("alice", "t5", false, cts.Token), cts.Token);
        Assert.Equal("worker_id", ex.Field);
        Assert.Null((await h.TaskAsync("t5", cts.Token)).Owner);

        // Force does not bypass the limit either.
        await h.FailsCleanlyAsync(ErrorCodes.ClaimLimitReached, () => h.Tasks.ClaimAsync("alice", "t5", true, cts.Token), cts.Token);

        await h.SetStatusAsync("alice", "t0", "pending", cts.Token);
        await h.Tasks.ClaimAsync("alice", "t5", false, cts.Token);
        await h.SetStatusAsync("alice", "t1", "completed", cts.Token);
        await h.Tasks.ClaimAsync("alice", "t6", false, cts.Token);
        Assert.Equal(5, (await h.WorkerAsync("alice", cts.Token))!.Claims.Count);
    }

    [Fact]
    public async Task The_configured_claim_limit_applies_and_assignments_count_against_it()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(new() { Server = new() { ClaimLimit = 2 } }, cancellationToken: cts.Token);
        await h.ConnectAsync("lead", cts.Token);
        await h.ConnectAsync("dev", cts.Token);
        foreach (var id in new[] { "a", "b", "c" })
        {
            await h.CreateAsync(id, cts.Token);
        }

        await h.Tasks.UpdateAsync(new UpdateTaskRequest { WorkerId = "lead", TaskId = "a", Assignee = "dev" }, cts.Token);
        await h.Tasks.ClaimAsync("dev", "b", false, cts.Token);

        await h.FailsCleanlyAsync(ErrorCodes.ClaimLimitReached, () => h.Tasks.ClaimAsync("dev", "c", false, cts.Token), cts.Token);
        await h.FailsCleanlyAsync(ErrorCodes.ClaimLimitReached, () => h.Tasks.UpdateAsync(new UpdateTaskRequest { WorkerId = "lead", TaskId = "c", Assignee = "dev" }, cts.Token), cts.Token);
    }

    [Fact]
    public async Task Deleting_a_claimed_task_frees_the_owners_slot()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(new() { Server = new() { ClaimLimit = 1 } }, cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.CreateAsync("a", cts.Token);
        await h.CreateAsync("b", cts.Token);
        await h.Tasks.ClaimAsync("alice", "a", false, cts.Token);

        await h.Tasks.DeleteAsync("alice", "a", false, null, false, false, cts.Token);

        await h.Tasks.ClaimAsync("alice", "b", false, cts.Token);
    }
}
