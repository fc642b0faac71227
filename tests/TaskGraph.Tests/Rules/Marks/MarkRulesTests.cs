using TaskGraph.Core.Errors;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;

namespace TaskGraph.Tests.Rules.Marks;

/// <summary>Catalogue §8 File locks: advisory marks warn, <c>lock:</c> marks are exclusive, unmark, release-all.</summary>
[Trait("Lane", "fast")]
public sealed class MarkRulesTests
{
    [Fact]
    public async Task Mark_normalises_the_path_against_the_base_directory()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);

        var result = await h.Marks.MarkAsync("alice", ["src/./lib/../main.rs"], null, "editing", cts.Token);

        // Kept relative to the base directory (the project root), so answers show no host path.
        const string expected = "src/main.rs";
        Assert.Equal([expected], result.Marked);
        var mark = await h.Context.Records.GetMarkAsync(expected, cts.Token);
        Assert.Equal(("alice", "editing", false), (mark!.Value.Value.Agent, mark.Value.Value.Reason, mark.Value.Value.IsLock));
    }

    [Fact]
    public async Task Another_agents_advisory_mark_warns_and_stays_theirs()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.ConnectAsync("bob", cts.Token);
        await h.Marks.MarkAsync("alice", ["a.cs"], null, "mine", cts.Token);

        var result = await h.Marks.MarkAsync("bob", ["a.cs"], null, null, cts.Token);

        Assert.Empty(result.Marked);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal(("alice", "mine"), (warning.MarkedBy, warning.Reason));
        Assert.Equal("alice", Single(await MarksAsync(h, cts.Token)).Agent);
    }

    [Fact]
    public async Task The_same_agent_marking_again_gets_no_warning_and_keeps_the_first_time()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.Marks.MarkAsync("alice", ["a.cs"], null, "first", cts.Token);
        h.Advance(TimeSpan.FromSeconds(5));

        var again = await h.Marks.MarkAsync("alice", ["a.cs"], null, "second", cts.Token);

        Assert.Empty(again.Warnings);
        var mark = Single(await MarksAsync(h, cts.Token));
        Assert.Equal(("second", RulesHarness.Epoch.ToUnixTimeMilliseconds()), (mark.Reason, mark.MarkedAt));
    }

    [Fact]
    public async Task A_held_lock_fails_the_whole_call_with_lock_conflict_and_changes_nothing()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.ConnectAsync("bob", cts.Token);
        await h.Marks.MarkAsync("alice", ["lock:deploy"], null, null, cts.Token);

        var ex = await h.FailsCleanlyAsync(ErrorCodes.LockConflict, () => h.Marks.MarkAsync("bob", ["lock:aaa-free", "lock:deploy", "free.cs"], null, null, cts.Token), cts.Token);

        Assert.Equal("Lock 'lock:deploy' is exclusively held by agent 'alice'", ex.Message);
        Assert.Equal(["lock:deploy"], (await MarksAsync(h, cts.Token)).Select(m => m.File));
    }

    [Fact]
    public async Task A_lock_held_by_a_dead_worker_can_be_taken_over()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("dead", cts.Token);
        await h.Marks.MarkAsync("dead", ["lock:deploy", "notes.md"], null, null, cts.Token);
        h.Advance(TimeSpan.FromSeconds(901));
        await h.ConnectAsync("alive", cts.Token);

        var result = await h.Marks.MarkAsync("alive", ["lock:deploy", "notes.md"], null, null, cts.Token);

        Assert.Equal(["lock:deploy"], result.LocksAcquired);
        Assert.Empty(result.Warnings);
        Assert.All(await MarksAsync(h, cts.Token), m => Assert.Equal("alive", m.Agent));
    }

    [Fact]
    public async Task Lock_names_are_kept_verbatim_and_relocking_by_the_holder_succeeds()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);

        var first = await h.Marks.MarkAsync("alice", ["lock:db/../migrations"], null, null, cts.Token);
        var second = await h.Marks.MarkAsync("alice", ["lock:db/../migrations"], null, null, cts.Token);

        Assert.Equal(["lock:db/../migrations"], first.LocksAcquired);
        Assert.Equal(["lock:db/../migrations"], second.LocksAcquired);
        Assert.True(Single(await MarksAsync(h, cts.Token)).IsLock);
    }

    [Fact]
    public async Task Unmark_removes_only_the_callers_marks_unless_a_task_is_given()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.ConnectAsync("bob", cts.Token);
        await h.CreateAsync("t", cts.Token);
        await h.Marks.MarkAsync("alice", ["a.cs", "b.cs"], "t", null, cts.Token);
        await h.Marks.MarkAsync("bob", ["c.cs"], "t", null, cts.Token);

        var wrongAgent = await h.Marks.UnmarkAsync("bob", ["a.cs"], null, null, cts.Token);
        Assert.Empty(wrongAgent);

        var own = await h.Marks.UnmarkAsync("alice", ["a.cs"], null, null, cts.Token);
        Assert.Equal("alice", Assert.Single(own).Agent);

        var byTask = await h.Marks.UnmarkAsync("alice", null, "t", null, cts.Token);
        Assert.Equal(["alice", "bob"], byTask.Select(u => u.Agent).Order(StringComparer.Ordinal));
        Assert.Empty(await MarksAsync(h, cts.Token));
    }

    [Fact]
    public async Task Unmark_star_releases_all_of_the_callers_marks()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.ConnectAsync("bob", cts.Token);
        await h.Marks.MarkAsync("alice", ["a.cs", "lock:x"], null, null, cts.Token);
        await h.Marks.MarkAsync("bob", ["b.cs"], null, null, cts.Token);

        var released = await h.Marks.UnmarkAsync("alice", ["*"], null, null, cts.Token);

        Assert.Equal(2, released.Count);
        Assert.Equal("bob", Single(await MarksAsync(h, cts.Token)).Agent);
    }

    [Fact]
    public async Task Bad_mark_input_is_refused_before_anything_is_written()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);

        await h.FailsCleanlyAsync(ErrorCodes.MissingRequiredField, () => h.Marks.MarkAsync("alice", [], null, null, cts.Token), cts.Token);
        var path = await h.FailsCleanlyAsync(ErrorCodes.InvalidFieldValue, () => h.Marks.MarkAsync("alice", [new string('p', 4097)], null, null, cts.Token), cts.Token);
        var reason = await h.FailsCleanlyAsync(ErrorCodes.InvalidFieldValue, () => h.Marks.MarkAsync("alice", ["a.cs"], null, new string('r', 4097), cts.Token), cts.Token);
        await h.FailsCleanlyAsync(ErrorCodes.TaskNotFound, () => h.Marks.MarkAsync("alice", ["a.cs"], "ghost-task", null, cts.Token), cts.Token);
        await h.FailsCleanlyAsync(ErrorCodes.AgentNotFound, () => h.Marks.MarkAsync("ghost", ["a.cs"], null, null, cts.Token), cts.Token);
        await h.FailsCleanlyAsync(ErrorCodes.MissingRequiredField, () => h.Marks.UnmarkAsync("alice", null, null, null, cts.Token), cts.Token);

        Assert.Equal(("file", "reason"), (path.Field, reason.Field));
    }

    [Fact]
    public async Task Completing_a_task_drops_its_marks()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.CreateAsync("t", cts.Token);
        await h.Tasks.ClaimAsync("alice", "t", false, cts.Token);
        await h.Marks.MarkAsync("alice", ["a.cs", "lock:t"], "t", null, cts.Token);
        await h.Marks.MarkAsync("alice", ["other.cs"], null, null, cts.Token);

        await h.SetStatusAsync("alice", "t", "completed", cts.Token);

        Assert.Equal("other.cs", Path.GetFileName(Single(await MarksAsync(h, cts.Token)).File));
    }

    private static MarkRecord Single(IReadOnlyList<MarkRecord> marks) => Assert.Single(marks);

    private static async Task<IReadOnlyList<MarkRecord>> MarksAsync(RulesHarness h, CancellationToken cancellationToken) =>
        [.. (await h.Store.ListAsync(RecordKeys.MarkPrefix, cancellationToken)).Select(e => RecordJson.Deserialize<MarkRecord>(e.Value))];
}
