using TaskGraph.Core.Configuration;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Tasks;

namespace TaskGraph.Tests.Rules.Claims;

/// <summary>
/// Claim without a task (issue 9, item 5): the best ready task the worker may take, ranked by priority, wanted-tag fit and
/// age; filters; every way a candidate can be lost to a stale read model; NO_READY_TASK and its counts; errors that propagate.
/// </summary>
[Trait("Lane", "fast")]
public sealed class ClaimNextRulesTests
{
    [Fact]
    public async Task Claims_the_highest_priority_ready_task_and_answers_as_a_claim_by_id_does()
    {
        using var cts = RulesHarness.Timeout();
        await using var n = await ClaimNextNode.CreateAsync(cts.Token);
        await n.ConnectAsync("alice", cts.Token);
        await n.TaskAsync("low", cts.Token, priority: 2);
        await n.TaskAsync("high", cts.Token, priority: 9);
        await n.TaskAsync("mid", cts.Token, priority: 5);

        var first = await n.NextAsync("alice", cts.Token);

        Assert.Equal(("high", "working", "alice"), (first.Claim.Task.Id, first.Claim.Task.Status, first.Claim.Task.Owner));
        Assert.Equal("pending", first.Claim.Previous.Status);
        Assert.NotNull(first.Claim.Task.ClaimedAt);
        Assert.Equal((1, false), (first.Attempts, first.Refreshed));
        Assert.Equal(["high"], (await n.Other.WorkerAsync("alice", cts.Token))!.Claims.Select(c => c.TaskId));
        Assert.Equal("mid", await n.NextIdAsync("alice", cts.Token));
        Assert.Equal("low", await n.NextIdAsync("alice", cts.Token));
    }

    [Fact]
    public async Task Among_equal_priority_more_wanted_tags_held_comes_first_but_priority_wins_over_fit()
    {
        using var cts = RulesHarness.Timeout();
        await using var n = await ClaimNextNode.CreateAsync(cts.Token);
        await n.ConnectAsync("alice", cts.Token, "rust", "go");
        await n.TaskAsync("plain", cts.Token);
        await n.TaskAsync("wants-rust", cts.Token, wanted: ["rust", "java"]);
        await n.TaskAsync("wants-both", cts.Token, wanted: ["rust", "go"]);
        await n.TaskAsync("urgent-plain", cts.Token, priority: 6);

        var order = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            order.Add(await n.NextIdAsync("alice", cts.Token));
        }

        Assert.Equal(["urgent-plain", "wants-both", "wants-rust", "plain"], order);
    }

    [Fact]
    public async Task Among_equal_priority_and_fit_the_oldest_task_comes_first()
    {
        using var cts = RulesHarness.Timeout();
        await using var n = await ClaimNextNode.CreateAsync(cts.Token);
        await n.ConnectAsync("alice", cts.Token);
        await n.TaskAsync("zebra", cts.Token);
        n.Other.Advance(TimeSpan.FromSeconds(5));
        await n.TaskAsync("aardvark", cts.Token);
        n.Other.Advance(TimeSpan.FromSeconds(5));
        await n.TaskAsync("mongoose", cts.Token);

        Assert.Equal("zebra", await n.NextIdAsync("alice", cts.Token));
        Assert.Equal("aardvark", await n.NextIdAsync("alice", cts.Token));
        Assert.Equal("mongoose", await n.NextIdAsync("alice", cts.Token));
    }

    [Fact]
    public async Task Blocked_tasks_and_containers_are_never_claimed()
    {
        using var cts = RulesHarness.Timeout();
        await using var n = await ClaimNextNode.CreateAsync(cts.Token);
        await n.ConnectAsync("alice", cts.Token);
        await n.TaskAsync("epic", cts.Token, priority: 10);
        await n.TaskAsync("child", cts.Token, priority: 1, parent: "epic");
        await n.TaskAsync("blocker", cts.Token, priority: 2);
        await n.TaskAsync("blocked", cts.Token, priority: 9);
        await n.LinkAsync("blocker", "blocked", cts.Token);

        Assert.Equal("blocker", await n.NextIdAsync("alice", cts.Token));
        Assert.Equal("child", await n.NextIdAsync("alice", cts.Token));
        var none = await RulesHarness.FailsAsync(ErrorCodes.NoReadyTask, () => n.NextAsync("alice", cts.Token));
        Assert.Equal(1, none.Details!["blocked"]);

        await n.CompleteAsync("alice", "blocker", cts.Token);
        Assert.Equal("blocked", await n.NextIdAsync("alice", cts.Token));
        Assert.Equal("pending", (await n.Other.TaskAsync("epic", cts.Token)).Status);
    }

    [Fact]
    public async Task Needed_tags_must_all_be_held_and_one_wanted_tag_if_any_are_wanted()
    {
        using var cts = RulesHarness.Timeout();
        await using var n = await ClaimNextNode.CreateAsync(cts.Token);
        await n.ConnectAsync("alice", cts.Token, "gpu");
        await n.TaskAsync("needs-gpu-and-linux", cts.Token, priority: 9, needed: ["gpu", "linux"]);
        await n.TaskAsync("wants-rust", cts.Token, priority: 8, wanted: ["rust"]);
        await n.TaskAsync("needs-gpu", cts.Token, priority: 1, needed: ["gpu"]);
        await n.TaskAsync("plain", cts.Token, priority: 0);

        Assert.Equal("needs-gpu", await n.NextIdAsync("alice", cts.Token));
        Assert.Equal("plain", await n.NextIdAsync("alice", cts.Token));
        var none = await RulesHarness.FailsAsync(ErrorCodes.NoReadyTask, () => n.NextAsync("alice", cts.Token));
        Assert.Equal(2, none.Details!["tag_mismatch"]);
        Assert.Contains("tags", none.Suggestion, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_agent_without_tags_gets_only_tasks_that_need_and_want_nothing_by_priority_then_age()
    {
        using var cts = RulesHarness.Timeout();
        await using var n = await ClaimNextNode.CreateAsync(cts.Token);
        await n.ConnectAsync("bare", cts.Token);
        await n.TaskAsync("needs-gpu", cts.Token, priority: 9, needed: ["gpu"]);
        await n.TaskAsync("wants-rust", cts.Token, priority: 9, wanted: ["rust"]);
        await n.TaskAsync("old-low", cts.Token, priority: 1);
        await n.TaskAsync("old-high", cts.Token, priority: 7);
        await n.TaskAsync("new-high", cts.Token, priority: 7);

        Assert.Equal("old-high", await n.NextIdAsync("bare", cts.Token));
        Assert.Equal("new-high", await n.NextIdAsync("bare", cts.Token));
        Assert.Equal("old-low", await n.NextIdAsync("bare", cts.Token));
        var none = await RulesHarness.FailsAsync(ErrorCodes.NoReadyTask, () => n.NextAsync("bare", cts.Token));
        Assert.Equal(2, none.Details!["tag_mismatch"]);
    }

    [Fact]
    public async Task Tags_any_phase_and_parent_filters_narrow_the_candidates_and_parent_means_direct_children()
    {
        using var cts = RulesHarness.Timeout();
        await using var n = await ClaimNextNode.CreateAsync(cts.Token, new TaskGraphConfig { Server = new ServerSettings { ClaimLimit = 10 } });
        await n.ConnectAsync("alice", cts.Token);
        await n.TaskAsync("urgent", cts.Token, priority: 9);
        await n.TaskAsync("docs", cts.Token, priority: 1, tags: ["docs", "site"]);
        await n.TaskAsync("review", cts.Token, priority: 1, phase: "review");
        await n.TaskAsync("epic", cts.Token, priority: 1);
        await n.TaskAsync("direct", cts.Token, priority: 1, parent: "epic");
        await n.TaskAsync("story", cts.Token, priority: 1, parent: "epic");
        await n.TaskAsync("grandchild", cts.Token, priority: 8, parent: "story");

        Assert.Equal("docs", await n.NextIdAsync("alice", cts.Token, tagsAny: ["api", "docs"]));
        Assert.Equal("review", await n.NextIdAsync("alice", cts.Token, phase: "review"));
        Assert.Equal("direct", await n.NextIdAsync("alice", cts.Token, parent: "epic"));
        var none = await RulesHarness.FailsAsync(ErrorCodes.NoReadyTask, () => n.NextAsync("alice", cts.Token, parent: "epic"));
        Assert.Equal((0, 0, 0), ((int)none.Details!["blocked"]!, (int)none.Details["claimed"]!, (int)none.Details["tag_mismatch"]!));
        await RulesHarness.FailsAsync(ErrorCodes.NoReadyTask, () => n.NextAsync("alice", cts.Token, tagsAny: ["docs"]));
        await RulesHarness.FailsAsync(ErrorCodes.TaskNotFound, () => n.NextAsync("alice", cts.Token, parent: "no-such-epic"));
        Assert.Equal("urgent", await n.NextIdAsync("alice", cts.Token));
        Assert.Equal("grandchild", await n.NextIdAsync("alice", cts.Token, parent: "story"));
    }

    [Fact]
    public async Task No_ready_task_counts_blocked_claimed_and_tag_mismatch_within_the_filters()
    {
        using var cts = RulesHarness.Timeout();
        await using var n = await ClaimNextNode.CreateAsync(cts.Token);
        await n.ConnectAsync("alice", cts.Token);
        await n.ConnectAsync("bob", cts.Token, "gpu");
        await n.TaskAsync("alices", cts.Token, priority: 9);
        await n.Runtime.Tasks.ClaimAsync("alice", "alices", false, cts.Token);
        await n.TaskAsync("bobs-1", cts.Token);
        await n.TaskAsync("bobs-2", cts.Token);
        await n.Runtime.Tasks.ClaimAsync("bob", "bobs-1", false, cts.Token);
        await n.Runtime.Tasks.ClaimAsync("bob", "bobs-2", false, cts.Token);
        await n.TaskAsync("waits", cts.Token, phase: "build");
        await n.LinkAsync("bobs-1", "waits", cts.Token);
        await n.TaskAsync("gpu-only", cts.Token, needed: ["gpu"], phase: "build");
        await n.TaskAsync("done", cts.Token);
        await n.Runtime.Tasks.ClaimAsync("bob", "done", false, cts.Token);
        await n.CompleteAsync("bob", "done", cts.Token);
        await n.TaskAsync("container", cts.Token, needed: ["gpu"]);
        await n.TaskAsync("inside", cts.Token, parent: "container");
        await n.LinkAsync("bobs-2", "inside", cts.Token);

        var none = await RulesHarness.FailsAsync(ErrorCodes.NoReadyTask, () => n.NextAsync("alice", cts.Token));

        Assert.Equal(2, none.Details!["blocked"]);
        Assert.Equal(2, none.Details["claimed"]);
        Assert.Equal(1, none.Details["tag_mismatch"]);
        Assert.Equal(0, none.Details["attempts"]);
        Assert.Contains("2 blocked, 2 claimed by others, 1 needing tags you lack", none.Message, StringComparison.Ordinal);
        Assert.Contains("wait", none.Suggestion, StringComparison.Ordinal);
        var inPhase = await RulesHarness.FailsAsync(ErrorCodes.NoReadyTask, () => n.NextAsync("alice", cts.Token, phase: "build"));
        Assert.Equal((1, 0, 1), ((int)inPhase.Details!["blocked"]!, (int)inPhase.Details["claimed"]!, (int)inPhase.Details["tag_mismatch"]!));
    }

    [Fact]
    public async Task A_worker_at_its_claim_limit_gets_claim_limit_reached_with_or_without_candidates()
    {
        using var cts = RulesHarness.Timeout();
        await using var n = await ClaimNextNode.CreateAsync(cts.Token, new TaskGraphConfig { Server = new ServerSettings { ClaimLimit = 2 } });
        await n.ConnectAsync("alice", cts.Token);
        await n.TaskAsync("a", cts.Token);
        await n.TaskAsync("b", cts.Token);
        await n.TaskAsync("c", cts.Token);
        await n.NextAsync("alice", cts.Token);
        await n.NextAsync("alice", cts.Token);

        var withCandidate = await n.Other.FailsCleanlyAsync(ErrorCodes.ClaimLimitReached, () => n.NextAsync("alice", cts.Token), cts.Token);
        await n.Runtime.Tasks.DeleteAsync("alice", "c", cascade: false, reason: null, obliterate: false, force: false, cts.Token);
        var withoutCandidate = await n.Other.FailsCleanlyAsync(ErrorCodes.ClaimLimitReached, () => n.NextAsync("alice", cts.Token), cts.Token);

        Assert.Equal(2, withCandidate.Details!["claim_limit"]);
        Assert.Equal(["a", "b"], ((string[])withoutCandidate.Details!["claimed"]!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Lease_expired_and_unknown_workers_propagate_at_once()
    {
        using var cts = RulesHarness.Timeout();
        await using var n = await ClaimNextNode.CreateAsync(cts.Token);
        await n.ConnectAsync("alice", cts.Token);
        await n.TaskAsync("t", cts.Token);

        await n.Other.FailsCleanlyAsync(ErrorCodes.AgentNotFound, () => n.NextAsync("nobody", cts.Token), cts.Token);
        n.Other.Advance(TimeSpan.FromSeconds(901));
        await n.Other.FailsCleanlyAsync(ErrorCodes.LeaseExpired, () => n.NextAsync("alice", cts.Token), cts.Token);
    }

    [Fact]
    public async Task A_candidate_another_node_claimed_meanwhile_is_skipped_for_the_next_one()
    {
        using var cts = RulesHarness.Timeout();
        await using var n = await ClaimNextNode.CreateAsync(cts.Token);
        await n.ConnectAsync("alice", cts.Token);
        await n.ConnectAsync("bob", cts.Token);
        await n.TaskAsync("best", cts.Token, priority: 9);
        await n.TaskAsync("second", cts.Token, priority: 5);
        n.Lag.Hide(RecordKeys.Task("best"));
        await n.Other.Tasks.ClaimAsync("bob", "best", false, cts.Token);

        var next = await n.NextAsync("alice", cts.Token);

        Assert.Equal(("second", 2), (next.Claim.Task.Id, next.Attempts));
        Assert.Equal("bob", (await n.Other.TaskAsync("best", cts.Token)).Owner);
        Assert.Equal(["second"], (await n.Other.WorkerAsync("alice", cts.Token))!.Claims.Select(c => c.TaskId));
    }

    [Fact]
    public async Task Candidates_that_changed_since_the_read_model_saw_them_are_skipped_without_writing()
    {
        using var cts = RulesHarness.Timeout();
        await using var n = await ClaimNextNode.CreateAsync(cts.Token);
        await n.ConnectAsync("alice", cts.Token);
        await n.ConnectAsync("bob", cts.Token);
        await n.TaskAsync("finished", cts.Token, priority: 10);
        await n.TaskAsync("retagged", cts.Token, priority: 9);
        await n.TaskAsync("linked", cts.Token, priority: 8);
        await n.TaskAsync("gone", cts.Token, priority: 7);
        await n.TaskAsync("fine", cts.Token, priority: 1);
        await n.TaskAsync("late-blocker", cts.Token, priority: 0);
        foreach (var id in new[] { "finished", "retagged", "gone" })
        {
            n.Lag.Hide(RecordKeys.Task(id));
        }

        n.Lag.Hide(RecordKeys.Dependencies);
        await n.Other.Tasks.ClaimAsync("bob", "finished", false, cts.Token);
        await n.Other.SetStatusAsync("bob", "finished", "completed", cts.Token);
        await n.Other.Tasks.UpdateAsync(new UpdateTaskRequest { WorkerId = "bob", TaskId = "retagged", NeededTags = ["gpu"] }, cts.Token);
        await n.Other.LinkAsync("late-blocker", "linked", cts.Token);
        await n.Other.Tasks.DeleteAsync("bob", "gone", cascade: false, reason: null, obliterate: true, force: false, cts.Token);

        var next = await n.NextAsync("alice", cts.Token);

        // INVALID_STATE (completed meanwhile), TAG_MISMATCH, DEPENDENCY_NOT_SATISFIED, TASK_NOT_FOUND, then the claim.
        Assert.Equal(("fine", 5), (next.Claim.Task.Id, next.Attempts));
        var finished = await n.Other.TaskAsync("finished", cts.Token);
        Assert.Equal(("completed", null), (finished.Status, finished.Owner));
        Assert.Null((await n.Other.TaskAsync("retagged", cts.Token)).Owner);
        Assert.Null((await n.Other.TaskAsync("linked", cts.Token)).Owner);
        Assert.Equal(["fine"], (await n.Other.WorkerAsync("alice", cts.Token))!.Claims.Select(c => c.TaskId));
    }

    [Fact]
    public async Task A_task_the_read_model_has_not_seen_yet_is_found_after_catching_up_with_the_store()
    {
        using var cts = RulesHarness.Timeout();
        await using var n = await ClaimNextNode.CreateAsync(cts.Token);
        await n.ConnectAsync("alice", cts.Token);
        n.Lag.Pause();
        await n.Other.CreateAsync("fresh", cts.Token);

        var next = await n.NextAsync("alice", cts.Token);

        Assert.Equal(("fresh", 1, true), (next.Claim.Task.Id, next.Attempts, next.Refreshed));
        Assert.True(n.Lag.PositionReads >= 1);
    }
}
