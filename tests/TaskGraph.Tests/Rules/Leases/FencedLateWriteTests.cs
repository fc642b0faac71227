using TaskGraph.Core.Configuration;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Tasks;
using TaskGraph.Core.Workers;

namespace TaskGraph.Tests.Rules.Leases;

/// <summary>
/// Fenced late writes across nodes on one fake clock (docs/adr/0005, "Fencing late writes"): a worker that lost its claim
/// (lease lapsed and taken over, evicted, force-taken) or never had it is refused when it later completes, thinks on or
/// releases the task, with LEASE_EXPIRED or NOT_OWNER naming who holds or finished it, and the task is not written.
/// </summary>
public abstract class FencedLateWriteTests
{
    private const int StaleSeconds = 60;

    /// <summary>Where the nodes keep their data.</summary>
    protected abstract RulesBackend Backend { get; }

    [Fact]
    public async Task After_a_takeover_and_completion_by_b_the_late_completion_thinking_and_release_of_a_are_refused_naming_b()
    {
        using var cts = RulesHarness.Timeout();
        await using var a = await Backend.CreateAsync(Config(), cancellationToken: cts.Token);
        await using var b = await a.OpenNodeAsync(cts.Token);
        await a.ConnectAsync("agent-a", cts.Token);
        await a.CreateAsync("t", cts.Token);
        await a.Tasks.ClaimAsync("agent-a", "t", false, cts.Token);

        // A's lease lapses (a write pause); B takes the task over without force and completes it.
        a.Advance(TimeSpan.FromSeconds(StaleSeconds + 1));
        await b.ConnectAsync("agent-b", cts.Token);
        var taken = await b.Tasks.ClaimAsync("agent-b", "t", false, cts.Token);
        Assert.Equal("agent-b", taken.Task.Owner);
        await b.SetStatusAsync("agent-b", "t", "completed", cts.Token);
        var revision = await RevisionAsync(a, "t", cts.Token);

        // Still past its deadline: every late write is LEASE_EXPIRED and names B as the finisher.
        await RefusedAsync(a, ErrorCodes.LeaseExpired, () => a.SetStatusAsync("agent-a", "t", "completed", cts.Token), cts.Token);
        await RefusedAsync(a, ErrorCodes.LeaseExpired, () => a.Workers.ThinkingAsync("agent-a", "almost done", ["t"], cts.Token), cts.Token);
        await RefusedAsync(a, ErrorCodes.LeaseExpired, () => a.SetStatusAsync("agent-a", "t", "pending", cts.Token), cts.Token);

        // Reconnecting with force does not resurrect the lost claim: the same writes are still refused.
        await a.Workers.ConnectAsync(new ConnectRequest { WorkerId = "agent-a", Force = true }, cts.Token);
        Assert.Empty((await a.WorkerAsync("agent-a", cts.Token))!.Claims);
        var fenced = await RefusedAsync(a, ErrorCodes.LeaseExpired, () => a.SetStatusAsync("agent-a", "t", "completed", cts.Token), cts.Token);
        Assert.Equal("agent-b", fenced.Details!["finished_by"]);
        Assert.Equal("takeover", fenced.Details["lost_by"]);
        await RefusedAsync(a, ErrorCodes.LeaseExpired, () => a.Workers.ThinkingAsync("agent-a", "almost done", ["t"], cts.Token), cts.Token);
        await RefusedAsync(a, ErrorCodes.LeaseExpired, () => a.SetStatusAsync("agent-a", "t", "pending", cts.Token), cts.Token);
        await RefusedAsync(a, ErrorCodes.LeaseExpired, () => a.Tasks.ClaimAsync("agent-a", "t", false, cts.Token), cts.Token);

        Assert.Equal(revision, await RevisionAsync(a, "t", cts.Token));
        var task = await b.TaskAsync("t", cts.Token);
        Assert.Equal(("completed", null, "agent-b"), (task.Status, task.Owner, task.FinishedBy));
    }

    [Fact]
    public async Task While_b_still_works_on_the_task_a_late_completion_is_not_owner_and_a_late_thought_lease_expired_both_naming_b()
    {
        using var cts = RulesHarness.Timeout();
        await using var a = await Backend.CreateAsync(Config(), cancellationToken: cts.Token);
        await using var b = await a.OpenNodeAsync(cts.Token);
        await a.ConnectAsync("agent-a", cts.Token);
        await a.CreateAsync("t", cts.Token);
        await a.Tasks.ClaimAsync("agent-a", "t", false, cts.Token);
        a.Advance(TimeSpan.FromSeconds(StaleSeconds + 1));
        await b.ConnectAsync("agent-b", cts.Token);
        await b.Tasks.ClaimAsync("agent-b", "t", false, cts.Token);
        var revision = await RevisionAsync(a, "t", cts.Token);

        await RefusedAsync(a, ErrorCodes.LeaseExpired, () => a.SetStatusAsync("agent-a", "t", "completed", cts.Token), cts.Token);
        await a.Workers.ConnectAsync(new ConnectRequest { WorkerId = "agent-a", Force = true }, cts.Token);
        var notOwner = await RefusedAsync(a, ErrorCodes.NotOwner, () => a.SetStatusAsync("agent-a", "t", "completed", cts.Token), cts.Token);
        Assert.Equal("agent-b", notOwner.Details!["owner"]);
        await RefusedAsync(a, ErrorCodes.LeaseExpired, () => a.Workers.ThinkingAsync("agent-a", "still mine?", ["t"], cts.Token), cts.Token);
        await RefusedAsync(a, ErrorCodes.NotOwner, () => a.SetStatusAsync("agent-a", "t", "pending", cts.Token), cts.Token);

        Assert.Equal(revision, await RevisionAsync(a, "t", cts.Token));
        Assert.Equal(("working", "agent-b"), ((await b.TaskAsync("t", cts.Token)).Status, (await b.TaskAsync("t", cts.Token)).Owner));
    }

    [Fact]
    public async Task After_a_sweeper_eviction_a_reconnect_with_force_does_not_resurrect_the_claim_and_the_late_update_is_refused()
    {
        using var cts = RulesHarness.Timeout();
        await using var a = await Backend.CreateAsync(Config(), cancellationToken: cts.Token);
        await using var c = await a.OpenNodeAsync(cts.Token);
        await a.ConnectAsync("agent-a", cts.Token);
        await a.CreateAsync("t", cts.Token);
        await a.Tasks.ClaimAsync("agent-a", "t", false, cts.Token);
        a.Advance(TimeSpan.FromSeconds(StaleSeconds + 1));
        var swept = await c.Sweeper.SweepAsync(null, null, "node-c", cts.Token);
        Assert.Equal(["agent-a"], swept.EvictedWorkerIds);

        await a.Workers.ConnectAsync(new ConnectRequest { WorkerId = "agent-a", Force = true }, cts.Token);
        Assert.Empty((await a.WorkerAsync("agent-a", cts.Token))!.Claims);
        var revision = await RevisionAsync(a, "t", cts.Token);
        var refused = await RefusedAsync(a, ErrorCodes.LeaseExpired, () => a.SetStatusAsync("agent-a", "t", "completed", cts.Token), cts.Token, named: null);
        Assert.Equal("evict", refused.Details!["lost_by"]);
        Assert.Contains("evicted", refused.Message, StringComparison.Ordinal);
        await RefusedAsync(a, ErrorCodes.LeaseExpired, () => a.Tasks.UpdateAsync(new UpdateTaskRequest { WorkerId = "agent-a", TaskId = "t", Description = "late" }, cts.Token), cts.Token, named: null);
        await RefusedAsync(a, ErrorCodes.LeaseExpired, () => a.SetStatusAsync("agent-a", "t", "working", cts.Token), cts.Token, named: null);
        await RefusedAsync(a, ErrorCodes.LeaseExpired, () => a.Workers.ThinkingAsync("agent-a", "back", ["t"], cts.Token), cts.Token, named: null);
        Assert.Equal(revision, await RevisionAsync(a, "t", cts.Token));

        // Claiming it again is legitimate: the fence goes and its work counts again.
        await a.Tasks.ClaimAsync("agent-a", "t", false, cts.Token);
        var done = await a.SetStatusAsync("agent-a", "t", "completed", cts.Token);
        Assert.Equal(("completed", "agent-a"), (done.Task.Status, done.Task.FinishedBy));
        Assert.Null(done.Task.Fenced);
    }

    [Fact]
    public async Task Completing_a_task_that_another_worker_completed_is_refused_as_not_owner_naming_the_finisher()
    {
        using var cts = RulesHarness.Timeout();
        await using var a = await Backend.CreateAsync(Config(), cancellationToken: cts.Token);
        await using var b = await a.OpenNodeAsync(cts.Token);
        await a.ConnectAsync("agent-a", cts.Token);
        await b.ConnectAsync("agent-b", cts.Token);
        await a.CreateAsync("t", cts.Token);
        await b.Tasks.ClaimAsync("agent-b", "t", false, cts.Token);
        await b.SetStatusAsync("agent-b", "t", "completed", cts.Token);
        var revision = await RevisionAsync(a, "t", cts.Token);

        var ex = await RefusedAsync(a, ErrorCodes.NotOwner, () => a.SetStatusAsync("agent-a", "t", "completed", cts.Token), cts.Token);
        Assert.Equal("agent-b", ex.Details!["finished_by"]);
        await RefusedAsync(a, ErrorCodes.NotOwner, () => a.SetStatusAsync("agent-a", "t", "completed", cts.Token, force: true), cts.Token);
        Assert.Equal(revision, await RevisionAsync(a, "t", cts.Token));
    }

    [Fact]
    public async Task A_worker_whose_claim_was_force_taken_cannot_complete_or_release_the_task_afterwards()
    {
        using var cts = RulesHarness.Timeout();
        await using var a = await Backend.CreateAsync(Config(), cancellationToken: cts.Token);
        await using var b = await a.OpenNodeAsync(cts.Token);
        await a.ConnectAsync("agent-a", cts.Token);
        await b.ConnectAsync("agent-b", cts.Token);
        await a.CreateAsync("t", cts.Token);
        await a.Tasks.ClaimAsync("agent-a", "t", false, cts.Token);
        await b.Tasks.ClaimAsync("agent-b", "t", true, cts.Token);
        await b.SetStatusAsync("agent-b", "t", "pending", cts.Token);
        var revision = await RevisionAsync(a, "t", cts.Token);

        // B handed the task back (unowned, pending): A, which lost it to B's force, still may not write to it.
        var ex = await RefusedAsync(a, ErrorCodes.LeaseExpired, () => a.SetStatusAsync("agent-a", "t", "completed", cts.Token), cts.Token, named: null);
        Assert.Equal("force", ex.Details!["lost_by"]);
        await RefusedAsync(a, ErrorCodes.LeaseExpired, () => a.SetStatusAsync("agent-a", "t", "pending", cts.Token), cts.Token, named: null);
        Assert.Equal(revision, await RevisionAsync(a, "t", cts.Token));
    }

    private static TaskGraphConfig Config() => new() { Server = new ServerSettings { StaleTimeoutSeconds = StaleSeconds } };

    private static async Task<ulong> RevisionAsync(RulesHarness node, string task, CancellationToken cancellationToken) =>
        (await node.Store.GetAsync(RecordKeys.Task(task), cancellationToken))!.Revision;

    /// <summary>A refused write that changes nothing in the store and, unless <paramref name="named"/> is null, names that worker.</summary>
    private static async Task<TaskGraphException> RefusedAsync(RulesHarness node, string code, Func<Task> call, CancellationToken cancellationToken, string? named = "agent-b")
    {
        var ex = await node.FailsCleanlyAsync(code, call, cancellationToken);
        if (named is not null)
        {
            Assert.Contains($"'{named}'", ex.Message, StringComparison.Ordinal);
        }

        return ex;
    }
}
