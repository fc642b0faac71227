using TaskGraph.Core.Errors;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;

namespace TaskGraph.Tests.Rules.Tasks;

/// <summary>Catalogue §8 delete (soft, cascade, obliterate, guards) and Rename (every reference rewritten).</summary>
[Trait("Lane", "fast")]
public sealed class DeleteRenameRulesTests
{
    [Fact]
    public async Task Soft_delete_stamps_who_when_and_why_and_keeps_the_record()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.CreateAsync("t", cts.Token);

        var soft = await h.Tasks.DeleteAsync("alice", "t", cascade: false, "duplicate", obliterate: false, force: false, cts.Token);

        Assert.True(soft);
        var task = await h.TaskAsync("t", cts.Token);
        Assert.Equal((RulesHarness.Epoch.ToUnixTimeMilliseconds(), "alice", "duplicate"), (task.DeletedAt!.Value, task.DeletedBy, task.DeletedReason));
        await RulesHarness.FailsAsync(ErrorCodes.TaskNotFound, () => h.Tasks.ClaimAsync("alice", "t", false, cts.Token));
    }

    [Fact]
    public async Task Delete_of_a_parent_without_cascade_is_refused_and_changes_nothing()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.CreateAsync("epic", cts.Token);
        await h.CreateAsync("kid", cts.Token, parent: "epic");

        var soft = await h.FailsCleanlyAsync(ErrorCodes.InvalidFieldValue, () => h.Tasks.DeleteAsync("alice", "epic", false, null, false, false, cts.Token), cts.Token);
        await h.FailsCleanlyAsync(ErrorCodes.InvalidFieldValue, () => h.Tasks.DeleteAsync("alice", "epic", false, null, obliterate: true, force: true, cts.Token), cts.Token);

        Assert.Equal("Task has children; use cascade=true to delete", soft.Message);
    }

    [Fact]
    public async Task Cascade_soft_deletes_every_contains_descendant()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.CreateAsync("epic", cts.Token);
        await h.CreateAsync("kid", cts.Token, parent: "epic");
        await h.CreateAsync("grandkid", cts.Token, parent: "kid");
        await h.CreateAsync("bystander", cts.Token);

        await h.Tasks.DeleteAsync("alice", "epic", cascade: true, null, false, false, cts.Token);

        foreach (var id in new[] { "epic", "kid", "grandkid" })
        {
            Assert.True((await h.TaskAsync(id, cts.Token)).IsDeleted, id);
        }

        Assert.False((await h.TaskAsync("bystander", cts.Token)).IsDeleted);
    }

    [Fact]
    public async Task Obliterate_with_cascade_removes_records_edges_and_marks()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.CreateAsync("epic", cts.Token);
        await h.CreateAsync("kid", cts.Token, parent: "epic");
        await h.CreateAsync("later", cts.Token);
        await h.LinkAsync("kid", "later", cts.Token);
        await h.Marks.MarkAsync("alice", ["src/kid.cs"], "kid", null, cts.Token);

        var soft = await h.Tasks.DeleteAsync("alice", "epic", cascade: true, null, obliterate: true, force: false, cts.Token);

        Assert.False(soft);
        await RulesHarness.FailsAsync(ErrorCodes.TaskNotFound, () => h.Tasks.GetAsync("epic", cts.Token));
        await RulesHarness.FailsAsync(ErrorCodes.TaskNotFound, () => h.Tasks.GetAsync("kid", cts.Token));
        Assert.Empty(await h.EdgesAsync(cts.Token));
        Assert.Empty(await h.Store.ListAsync(RecordKeys.MarkPrefix, cts.Token));
        Assert.NotNull(await h.TaskAsync("later", cts.Token));
    }

    [Fact]
    public async Task Deleting_a_task_claimed_by_another_live_worker_needs_force_and_force_frees_the_owners_slot()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.ConnectAsync("bob", cts.Token);
        await h.CreateAsync("t", cts.Token);
        await h.Tasks.ClaimAsync("bob", "t", false, cts.Token);

        var ex = await h.FailsCleanlyAsync(ErrorCodes.NotOwner, () => h.Tasks.DeleteAsync("alice", "t", false, null, false, force: false, cts.Token), cts.Token);
        Assert.Equal("Task is claimed by worker 'bob'. Use force=true to override.", ex.Message);

        await h.Tasks.DeleteAsync("alice", "t", false, null, false, force: true, cts.Token);
        var task = await h.TaskAsync("t", cts.Token);
        Assert.True(task.IsDeleted);
        Assert.Null(task.Owner);
        Assert.Empty((await h.WorkerAsync("bob", cts.Token))!.Claims);
    }

    [Fact]
    public async Task Delete_of_an_unknown_task_is_task_not_found()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);

        await h.FailsCleanlyAsync(ErrorCodes.TaskNotFound, () => h.Tasks.DeleteAsync("alice", "nope", false, null, false, false, cts.Token), cts.Token);
        await h.FailsCleanlyAsync(ErrorCodes.AgentNotFound, () => h.Tasks.DeleteAsync("ghost", "nope", false, null, false, false, cts.Token), cts.Token);
    }

    [Fact]
    public async Task Rename_rewrites_the_task_edges_marks_and_the_owners_claim()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.CreateAsync("epic", cts.Token);
        await h.CreateAsync("old", cts.Token, parent: "epic");
        await h.CreateAsync("next", cts.Token);
        await h.LinkAsync("old", "next", cts.Token);
        await h.Tasks.UpdateAsync(new() { WorkerId = "alice", TaskId = "old", Tags = ["x"] }, cts.Token);
        await h.Tasks.ClaimAsync("alice", "old", false, cts.Token);
        await h.Marks.MarkAsync("alice", ["src/old.cs"], "old", "editing", cts.Token);

        await h.Tasks.RenameAsync("alice", "old", "new", cts.Token);

        await RulesHarness.FailsAsync(ErrorCodes.TaskNotFound, () => h.Tasks.GetAsync("old", cts.Token));
        var renamed = await h.TaskAsync("new", cts.Token);
        Assert.Equal(("alice", "working", "old"), (renamed.Owner, renamed.Status, renamed.Change!.RenamedFrom));
        Assert.Equal(["x"], renamed.Tags);
        Assert.Equal([new DependencyEdge("epic", "new", "contains"), new DependencyEdge("new", "next", "blocks")], await h.EdgesAsync(cts.Token));
        var mark = RecordJson.Deserialize<MarkRecord>(Assert.Single(await h.Store.ListAsync(RecordKeys.MarkPrefix, cts.Token)).Value);
        Assert.Equal("new", mark.TaskId);
        Assert.Equal(["new"], (await h.WorkerAsync("alice", cts.Token))!.Claims.Select(c => c.TaskId));

        // The renamed claim still counts and still releases.
        await h.SetStatusAsync("alice", "new", "completed", cts.Token);
        Assert.Empty((await h.WorkerAsync("alice", cts.Token))!.Claims);
    }

    [Fact]
    public async Task Rename_to_an_existing_id_or_of_a_missing_task_changes_nothing()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.ConnectAsync("alice", cts.Token);
        await h.CreateAsync("a", cts.Token);
        await h.CreateAsync("b", cts.Token);

        var exists = await h.FailsCleanlyAsync(ErrorCodes.AlreadyExists, () => h.Tasks.RenameAsync("alice", "a", "b", cts.Token), cts.Token);
        var missing = await h.FailsCleanlyAsync(ErrorCodes.TaskNotFound, () => h.Tasks.RenameAsync("alice", "zzz", "c", cts.Token), cts.Token);
        var tooLong = await h.FailsCleanlyAsync(ErrorCodes.InvalidFieldValue, () => h.Tasks.RenameAsync("alice", "a", new string('n', 65), cts.Token), cts.Token);

        Assert.Equal("Task 'b' already exists", exists.Message);
        Assert.Equal("Task 'zzz' not found", missing.Message);
        Assert.Equal("new_id", tooLong.Field);
        Assert.Equal("a", (await h.TaskAsync("a", cts.Token)).Title);
    }
}
