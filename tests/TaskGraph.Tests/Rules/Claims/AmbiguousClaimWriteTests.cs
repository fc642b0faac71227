using TaskGraph.Core.Configuration;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;

namespace TaskGraph.Tests.Rules.Claims;

/// <summary>
/// Invariant 6, "a retried request is not applied twice", for writes whose acknowledgement never came (a NATS request
/// timeout): made deterministic with <see cref="AmbiguousWriteStore"/>, which performs the write and then throws
/// <see cref="StoreUnavailableException"/>. A landed claim is recognised by its request id, never applied twice, never
/// reported as lost while it holds, and its reservation keeps counting against the claim limit.
/// </summary>
public abstract class AmbiguousClaimWriteTests
{
    /// <summary>Where the nodes keep their data.</summary>
    protected abstract RulesBackend Backend { get; }

    [Fact]
    public async Task A_claim_whose_task_write_landed_but_timed_out_is_recognised_by_its_request_id_and_applied_once()
    {
        using var cts = RulesHarness.Timeout();
        await using var setup = await Backend.CreateAsync(time: TimeProvider.System, cancellationToken: cts.Token);
        var (node, store) = await OpenAmbiguousNodeAsync(setup, cts.Token);
        await using var _ = node;
        await setup.ConnectAsync("agent", cts.Token);
        await setup.CreateAsync("t", cts.Token);
        store.Matches = IsClaimOf("t");
        store.AmbiguousWrites = 1;

        var claimed = await node.Tasks.ClaimAsync("agent", "t", false, cts.Token);

        Assert.Equal(1, store.Provoked);
        Assert.Equal(("working", "agent"), (claimed.Task.Status, claimed.Task.Owner));
        await AssertClaimedOnceAsync(setup, "t", "agent", cts.Token);
    }

    [Fact]
    public async Task A_claim_that_landed_while_every_re_read_timed_out_is_owned_and_still_counts_against_the_claim_limit()
    {
        using var cts = RulesHarness.Timeout();
        var config = new TaskGraphConfig { Server = new ServerSettings { ClaimLimit = 1 } };
        await using var setup = await Backend.CreateAsync(config, TimeProvider.System, cts.Token);
        var (node, store) = await OpenAmbiguousNodeAsync(setup, cts.Token);
        await using var _ = node;
        await setup.ConnectAsync("agent", cts.Token);
        await setup.CreateAsync("t", cts.Token);
        await setup.CreateAsync("other", cts.Token);
        store.Matches = IsClaimOf("t");
        store.AmbiguousWrites = 1;
        store.FailReadsOf = RecordKeys.Task("t");
        store.FailReads = GraphContextUnavailableAttempts;

        // The caller cannot learn the outcome in time: unavailable, not "lost", and the claim did land.
        await RulesHarness.FailsAsync(ErrorCodes.StoreUnavailable, () => node.Tasks.ClaimAsync("agent", "t", false, cts.Token));
        Assert.Equal("agent", (await setup.TaskAsync("t", cts.Token)).Owner);

        // The agent's retry finds the claim its own; nothing is applied twice.
        var again = await node.Tasks.ClaimAsync("agent", "t", false, cts.Token);
        Assert.Equal("agent", again.Task.Owner);
        await AssertClaimedOnceAsync(setup, "t", "agent", cts.Token);

        // The landed claim counts: the worker is at its limit of one.
        await RulesHarness.FailsAsync(ErrorCodes.ClaimLimitReached, () => node.Tasks.ClaimAsync("agent", "other", false, cts.Token));
        Assert.Null((await setup.TaskAsync("other", cts.Token)).Owner);
    }

    [Fact]
    public async Task A_claim_whose_write_never_reached_the_store_is_sent_again_and_applied_once()
    {
        using var cts = RulesHarness.Timeout();
        await using var setup = await Backend.CreateAsync(time: TimeProvider.System, cancellationToken: cts.Token);
        var (node, store) = await OpenAmbiguousNodeAsync(setup, cts.Token);
        await using var _ = node;
        await setup.ConnectAsync("agent", cts.Token);
        await setup.CreateAsync("t", cts.Token);
        store.Matches = IsClaimOf("t");
        store.LoseWrites = true;
        store.AmbiguousWrites = 2;

        await node.Tasks.ClaimAsync("agent", "t", false, cts.Token);

        Assert.Equal(2, store.Provoked);
        await AssertClaimedOnceAsync(setup, "t", "agent", cts.Token);
    }

    [Fact]
    public async Task A_claim_reservation_that_landed_but_timed_out_is_not_counted_twice()
    {
        using var cts = RulesHarness.Timeout();
        await using var setup = await Backend.CreateAsync(time: TimeProvider.System, cancellationToken: cts.Token);
        var (node, store) = await OpenAmbiguousNodeAsync(setup, cts.Token);
        await using var _ = node;
        await setup.ConnectAsync("agent", cts.Token);
        await setup.CreateAsync("t", cts.Token);
        store.Matches = (key, value) => key == RecordKeys.Worker("agent") && value.Contains("\"task_id\":\"t\"", StringComparison.Ordinal);
        store.AmbiguousWrites = 1;

        await node.Tasks.ClaimAsync("agent", "t", false, cts.Token);

        Assert.Equal(1, store.Provoked);
        await AssertClaimedOnceAsync(setup, "t", "agent", cts.Token);
    }

    [Fact]
    public async Task A_rival_claim_racing_an_ambiguous_claim_leaves_one_owner_and_the_loser_is_told_so()
    {
        using var cts = RulesHarness.Timeout();
        await using var setup = await Backend.CreateAsync(time: TimeProvider.System, cancellationToken: cts.Token);
        var (node, store) = await OpenAmbiguousNodeAsync(setup, cts.Token);
        await using var _ = node;
        await setup.ConnectAsync("slow", cts.Token);
        await setup.ConnectAsync("rival", cts.Token);
        for (var round = 0; round < 5; round++)
        {
            var task = $"t{round}";
            await setup.CreateAsync(task, cts.Token);
            store.Matches = IsClaimOf(task);
            store.AmbiguousWrites = 1;
            var outcomes = await RulesHarness.RaceAsync(
                2,
                i => i == 0 ? node.Tasks.ClaimAsync("slow", task, false, cts.Token) : setup.Tasks.ClaimAsync("rival", task, false, cts.Token),
                cts.Token);

            var owner = (await setup.TaskAsync(task, cts.Token)).Owner;
            string[] agents = ["slow", "rival"];
            var winner = agents[Assert.Single(Enumerable.Range(0, 2), i => outcomes[i] is null)];
            Assert.Equal(winner, owner);
            Assert.Equal(ErrorCodes.AlreadyClaimed, Assert.Single(outcomes, o => o is not null));
            await AssertClaimedOnceAsync(setup, task, winner, cts.Token);

            // Release so each agent stays under its limit.
            await setup.SetStatusAsync(winner, task, "completed", cts.Token);
        }
    }

    [Fact]
    public async Task A_completion_whose_follow_up_steps_meet_an_outage_answers_saved_with_a_warning_and_lands_once()
    {
        using var cts = RulesHarness.Timeout();
        await using var setup = await Backend.CreateAsync(time: TimeProvider.System, cancellationToken: cts.Token);
        var (node, store) = await OpenAmbiguousNodeAsync(setup, cts.Token);
        await using var _ = node;
        await setup.ConnectAsync("agent", cts.Token);
        await setup.CreateAsync("t", cts.Token);
        await setup.CreateAsync("next", cts.Token);
        await setup.LinkAsync("t", "next", cts.Token);
        await node.Tasks.ClaimAsync("agent", "t", false, cts.Token);

        // The completion's task write lands; then the store stops answering for the worker's record (the caller's
        // bookkeeping after the transition), write and re-reads alike.
        store.Matches = (key, _) => key == RecordKeys.Worker("agent");
        store.AmbiguousWrites = 1;
        store.FailReadsOf = RecordKeys.Worker("agent");
        store.FailReads = GraphContextUnavailableAttempts + 5;

        var done = await node.SetStatusAsync("agent", "t", "completed", cts.Token);

        Assert.Equal(1, store.Provoked);
        Assert.Equal("completed", done.Task.Status);
        Assert.Contains("change was saved", done.AftermathWarning, StringComparison.Ordinal);
        store.FailReads = 0;
        var revisions = (await setup.Store.HistoryAsync(RecordKeys.Task("t"), 0, cts.Token)).Select(c => RecordJson.Deserialize<TaskRecord>(c.Value)).ToList();
        Assert.Single(revisions, r => r.Status == "completed");

        // The dependent is ready all the same: readiness comes from the dependencies, not from the cut-short step.
        var claimed = await setup.Tasks.ClaimAsync("agent", "next", false, cts.Token);
        Assert.Equal("agent", claimed.Task.Owner);
    }

    [Fact]
    public async Task A_completion_with_no_outage_carries_no_warning()
    {
        using var cts = RulesHarness.Timeout();
        await using var setup = await Backend.CreateAsync(time: TimeProvider.System, cancellationToken: cts.Token);
        await setup.ConnectAsync("agent", cts.Token);
        await setup.CreateAsync("t", cts.Token);
        await setup.Tasks.ClaimAsync("agent", "t", false, cts.Token);

        var done = await setup.SetStatusAsync("agent", "t", "completed", cts.Token);

        Assert.Null(done.AftermathWarning);
    }

    /// <summary>How many timed-out store calls one rule call absorbs (GraphContext.MaxUnavailableAttempts).</summary>
    private static int GraphContextUnavailableAttempts => Core.Graph.GraphContext.MaxUnavailableAttempts;

    private static Func<string, string, bool> IsClaimOf(string task) =>
        (key, value) => key == RecordKeys.Task(task) && value.Contains("\"kind\":\"claim\"", StringComparison.Ordinal);

    private static async Task<(RulesHarness Node, AmbiguousWriteStore Store)> OpenAmbiguousNodeAsync(RulesHarness setup, CancellationToken cancellationToken)
    {
        AmbiguousWriteStore? wrapper = null;
        var node = await setup.OpenNodeAsync(s => wrapper = new AmbiguousWriteStore(s), cancellationToken);
        return (node, wrapper!);
    }

    /// <summary>One claim revision in the task's log, the task owned by <paramref name="agent"/>, reserved once in its record.</summary>
    private static async Task AssertClaimedOnceAsync(RulesHarness h, string task, string agent, CancellationToken cancellationToken)
    {
        var revisions = (await h.Store.HistoryAsync(RecordKeys.Task(task), 0, cancellationToken)).Select(c => RecordJson.Deserialize<TaskRecord>(c.Value)).ToList();
        var claim = Assert.Single(revisions, r => r.Change?.Kind == "claim");
        Assert.Equal(agent, claim.Owner);
        Assert.Equal(agent, (await h.TaskAsync(task, cancellationToken)).Owner);
        Assert.Single((await h.WorkerAsync(agent, cancellationToken))!.Claims, c => c.TaskId == task);
    }
}
