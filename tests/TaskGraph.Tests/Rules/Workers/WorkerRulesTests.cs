using TaskGraph.Core.Errors;
using TaskGraph.Core.Workers;

namespace TaskGraph.Tests.Rules.Workers;

/// <summary>Catalogue §8 Agents: connect, force reconnect, heartbeat, thinking, disconnect, list.</summary>
[Trait("Lane", "fast")]
public sealed class WorkerRulesTests
{
    [Fact]
    public async Task Connect_with_defaults_has_no_tags_the_configured_claim_limit_and_timestamps()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);

        var result = await h.Workers.ConnectAsync(new ConnectRequest(), cts.Token);

        Assert.Empty(result.Worker.Tags);
        Assert.Equal(5, result.Worker.MaxClaims);
        Assert.True(result.Worker.RegisteredAt > 0);
        Assert.True(result.Worker.LastHeartbeat > 0);
        Assert.Matches("^[A-Z][a-z]+[A-Z][a-z]+$", result.Worker.Id);
        Assert.Null(result.Worker.Workflow);
        Assert.NotNull(await h.WorkerAsync(result.Worker.Id, cts.Token));
    }

    [Fact]
    public async Task Generated_worker_ids_are_unique_pascal_case_petnames_of_at_most_64_characters()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);

        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add((await h.Workers.ConnectAsync(new ConnectRequest(), cts.Token)).Worker.Id);
        }

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id => Assert.True(id.Length <= 64 && char.IsUpper(id[0]) && !id.Contains("0000", StringComparison.Ordinal), id));
    }

    [Fact]
    public async Task Connect_stores_custom_id_tags_workflow_and_overlays_in_order()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);

        await h.Workers.ConnectAsync(new ConnectRequest { WorkerId = "alice", Tags = ["rust", "db"], Workflow = "swarm", Overlays = ["git", "troubleshooting"] }, cts.Token);

        var stored = await h.WorkerAsync("alice", cts.Token);
        Assert.NotNull(stored);
        Assert.Equal(["rust", "db"], stored.Tags);
        Assert.Equal("swarm", stored.Workflow);
        Assert.Equal(["git", "troubleshooting"], stored.Overlays);
    }

    [Theory]
    [InlineData("", ErrorCodes.MissingRequiredField)]
    [InlineData("   ", ErrorCodes.MissingRequiredField)]
    [InlineData("a\u0001b", ErrorCodes.InvalidFieldValue)]
    public async Task Connect_refuses_a_blank_or_control_character_id(string id, string code)
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);

        var ex = await h.FailsCleanlyAsync(code, () => h.Workers.ConnectAsync(new ConnectRequest { WorkerId = id }, cts.Token), cts.Token);
        Assert.Equal("worker_id", ex.Field);
    }

    [Fact]
    public async Task Connect_refuses_a_65_character_id_and_accepts_64()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);

        var ex = await h.FailsCleanlyAsync(ErrorCodes.InvalidFieldValue, () => h.Workers.ConnectAsync(new ConnectRequest { WorkerId = new string('a', 65) }, cts.Token), cts.Token);
        Assert.Equal("worker_id", ex.Field);
        await h.Workers.ConnectAsync(new ConnectRequest { WorkerId = new string('a', 64) }, cts.Token);
    }

    [Fact]
    public async Task Connect_refuses_too_many_or_oversized_tags()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);

        var many = await h.FailsCleanlyAsync(ErrorCodes.InvalidFieldValue, () => h.Workers.ConnectAsync(new ConnectRequest { WorkerId = "w", Tags = [.. Enumerable.Range(0, 65).Select(i => $"t{i}")] }, cts.Token), cts.Token);
        var big = await h.FailsCleanlyAsync(ErrorCodes.InvalidFieldValue, () => h.Workers.ConnectAsync(new ConnectRequest { WorkerId = "w", Tags = [new string('t', 65)] }, cts.Token), cts.Token);

        Assert.Equal("tags", many.Field);
        Assert.Equal("tags", big.Field);
    }

    [Fact]
    public async Task Duplicate_connect_without_force_is_refused_and_keeps_the_first_registration()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token, "first");

        var ex = await h.FailsCleanlyAsync(ErrorCodes.AlreadyExists, () => h.ConnectAsync("alice", cts.Token, "second"), cts.Token);

        Assert.Contains("already registered", ex.Message, StringComparison.Ordinal);
        Assert.Equal(["first"], (await h.WorkerAsync("alice", cts.Token))!.Tags);
    }

    [Fact]
    public async Task Force_reconnect_replaces_tags_workflow_and_overlays_but_keeps_claims()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.Workers.ConnectAsync(new ConnectRequest { WorkerId = "alice", Tags = ["old"], Workflow = "swarm", Overlays = ["git"] }, cts.Token);
        await h.CreateAsync("t1", cts.Token);
        await h.Tasks.ClaimAsync("alice", "t1", false, cts.Token);

        await h.Workers.ConnectAsync(new ConnectRequest { WorkerId = "alice", Tags = ["new"], Force = true }, cts.Token);

        var stored = await h.WorkerAsync("alice", cts.Token);
        Assert.Equal(["new"], stored!.Tags);
        Assert.Null(stored.Workflow);
        Assert.Empty(stored.Overlays);
        Assert.Equal(["t1"], stored.Claims.Select(c => c.TaskId));
        Assert.Equal("alice", (await h.TaskAsync("t1", cts.Token)).Owner);
    }

    [Fact]
    public async Task Heartbeat_moves_the_heartbeat_and_deadline_forward()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        var first = await h.ConnectAsync("alice", cts.Token);

        h.Advance(TimeSpan.FromSeconds(10));
        var beat = await h.Workers.HeartbeatAsync("alice", always: true, cts.Token);

        Assert.Equal(first.LastHeartbeat + 10_000, beat.LastHeartbeat);
        Assert.Equal(first.HeartbeatDeadline + 10_000, beat.HeartbeatDeadline);
        Assert.Equal(beat.LastHeartbeat, (await h.WorkerAsync("alice", cts.Token))!.LastHeartbeat);
    }

    [Fact]
    public async Task Heartbeat_of_an_unknown_worker_is_agent_not_found()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);

        await h.FailsCleanlyAsync(ErrorCodes.AgentNotFound, () => h.Workers.HeartbeatAsync("ghost", always: true, cts.Token), cts.Token);
    }

    [Fact]
    public async Task Thinking_sets_the_thought_on_owned_tasks_only_and_writes_nothing_durable()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.ConnectAsync("bob", cts.Token);
        await h.CreateAsync("mine", cts.Token);
        await h.CreateAsync("theirs", cts.Token);
        await h.Tasks.ClaimAsync("alice", "mine", false, cts.Token);
        await h.Tasks.ClaimAsync("bob", "theirs", false, cts.Token);

        var before = await h.PositionAsync(cts.Token);
        var updated = await h.Workers.ThinkingAsync("alice", "reading the parser", ["mine", "theirs"], cts.Token);

        Assert.Equal(1, updated);

        // The thought lives with alice's lease in the volatile key space: no durable change, no task record rewritten.
        Assert.Equal(before, await h.PositionAsync(cts.Token));
        Assert.Null((await h.TaskAsync("mine", cts.Token)).CurrentThought);
        var alice = (await h.Context.Records.GetLivenessAsync("alice", cts.Token))!.Value.Value;
        Assert.Equal("reading the parser", alice.ThoughtOn("mine"));
        Assert.Null((await h.Context.Records.GetLivenessAsync("bob", cts.Token))?.Value.ThoughtOn("theirs"));
        var view = Assert.Single(await h.Workers.ListAsync(cts.Token), v => v.Worker.Id == "alice");
        Assert.Equal(1, view.ClaimCount);
        Assert.Equal("reading the parser", view.CurrentThought);
    }

    [Fact]
    public async Task Thinking_refuses_an_oversized_thought()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);

        var ex = await h.FailsCleanlyAsync(ErrorCodes.InvalidFieldValue, () => h.Workers.ThinkingAsync("alice", new string('x', 4097), null, cts.Token), cts.Token);
        Assert.Equal("thought", ex.Field);
    }

    [Fact]
    public async Task Disconnect_releases_tasks_and_marks_and_removes_the_worker()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.CreateAsync("t1", cts.Token);
        await h.CreateAsync("t2", cts.Token);
        await h.Tasks.ClaimAsync("alice", "t1", false, cts.Token);
        await h.Tasks.ClaimAsync("alice", "t2", false, cts.Token);
        await h.Marks.MarkAsync("alice", ["src/a.cs", "lock:build"], "t1", null, cts.Token);

        var result = await h.Workers.DisconnectAsync("alice", null, cts.Token);

        Assert.Equal(2, result.TasksReleased);
        Assert.Equal(2, result.FilesReleased);
        Assert.Equal("pending", result.FinalStatus);
        Assert.Null(await h.WorkerAsync("alice", cts.Token));
        foreach (var id in new[] { "t1", "t2" })
        {
            var task = await h.TaskAsync(id, cts.Token);
            Assert.Equal("pending", task.Status);
            Assert.Null(task.Owner);
        }

        Assert.Empty(await h.Store.ListAsync("mark.", cts.Token));
    }

    [Fact]
    public async Task Disconnect_to_a_timed_or_unknown_final_status_is_refused_and_changes_nothing()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);

        var timed = await h.FailsCleanlyAsync(ErrorCodes.InvalidFieldValue, () => h.Workers.DisconnectAsync("alice", "working", cts.Token), cts.Token);
        await h.FailsCleanlyAsync(ErrorCodes.InvalidFieldValue, () => h.Workers.DisconnectAsync("alice", "nowhere", cts.Token), cts.Token);

        Assert.Equal("final_status", timed.Field);
        Assert.Contains("must be an untimed status, got 'working'", timed.Message, StringComparison.Ordinal);
        Assert.NotNull(await h.WorkerAsync("alice", cts.Token));
    }

    [Fact]
    public async Task Disconnect_of_an_unknown_worker_is_agent_not_found()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);

        await h.FailsCleanlyAsync(ErrorCodes.AgentNotFound, () => h.Workers.DisconnectAsync("ghost", null, cts.Token), cts.Token);
    }

    [Fact]
    public async Task List_shows_every_worker_with_its_live_claim_count()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.ConnectAsync("bob", cts.Token);
        await h.CreateAsync("t1", cts.Token);
        await h.Tasks.ClaimAsync("bob", "t1", false, cts.Token);

        var views = await h.Workers.ListAsync(cts.Token);

        Assert.Equal(["alice", "bob"], views.Select(v => v.Worker.Id).Order(StringComparer.Ordinal));
        Assert.Equal(1, views.Single(v => v.Worker.Id == "bob").ClaimCount);
        Assert.Equal(["t1"], views.Single(v => v.Worker.Id == "bob").OwnedTaskIds);
        Assert.Equal(0, views.Single(v => v.Worker.Id == "alice").ClaimCount);
    }
}
