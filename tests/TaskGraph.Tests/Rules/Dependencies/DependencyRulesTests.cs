using TaskGraph.Core.Errors;
using TaskGraph.Core.Records;

namespace TaskGraph.Tests.Rules.Dependencies;

/// <summary>Catalogue §8 Deps: link, unlink, relink, cycles, single parent, per-pair warnings and errors.</summary>
[Trait("Lane", "fast")]
public sealed class DependencyRulesTests
{
    [Fact]
    public async Task Link_creates_every_from_to_pair()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        foreach (var id in new[] { "a", "b", "c", "d" })
        {
            await h.CreateAsync(id, cts.Token);
        }

        var result = await h.Dependencies.LinkAsync(["a", "b"], ["c", "d"], "blocks", "alice", cts.Token);

        Assert.Equal(4, result.Created.Count);
        Assert.Empty(result.Warnings);
        Assert.Empty(result.Errors);
        Assert.Equal(4, (await h.EdgesAsync(cts.Token)).Count);
    }

    [Fact]
    public async Task Missing_tasks_and_duplicates_are_warnings_not_errors()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.CreateAsync("a", cts.Token);
        await h.CreateAsync("b", cts.Token);
        await h.LinkAsync("a", "b", cts.Token);

        var result = await h.Dependencies.LinkAsync(["a", "ghost"], ["b", "nowhere"], "blocks", null, cts.Token);

        Assert.Empty(result.Created);
        Assert.Empty(result.Errors);
        Assert.Contains(result.Warnings, w => w is { Code: "DUPLICATE", From: "a", To: "b" });
        Assert.Contains(result.Warnings, w => w is { Code: ErrorCodes.TaskNotFound, From: "ghost", Field: "from" });
        Assert.Contains(result.Warnings, w => w is { Code: "DEPENDENCY_NOT_FOUND", To: "nowhere", Field: "to" });
        Assert.Single(await h.EdgesAsync(cts.Token));
    }

    [Fact]
    public async Task Two_cycle_and_longer_cycle_are_dependency_cycle_errors_and_nothing_is_linked()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        foreach (var id in new[] { "a", "b", "c" })
        {
            await h.CreateAsync(id, cts.Token);
        }

        await h.LinkAsync("a", "b", cts.Token);
        await h.LinkAsync("b", "c", cts.Token, "follows");
        var before = await h.PositionAsync(cts.Token);

        var two = await h.Dependencies.LinkAsync(["b"], ["a"], "blocks", null, cts.Token);
        var three = await h.Dependencies.LinkAsync(["c"], ["a"], "follows", null, cts.Token);
        var self = await h.Dependencies.LinkAsync(["a"], ["a"], "relates-to", null, cts.Token);

        foreach (var result in new[] { two, three, self })
        {
            Assert.Empty(result.Created);
            var error = Assert.Single(result.Errors);
            Assert.Equal(ErrorCodes.DependencyCycle, error.Code);
        }

        Assert.Equal("Adding this dependency would create a cycle", two.Errors[0].Message);
        Assert.Equal(before, await h.PositionAsync(cts.Token));
    }

    [Fact]
    public async Task A_good_pair_is_linked_even_when_another_pair_of_the_same_call_would_cycle()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        foreach (var id in new[] { "a", "b", "c" })
        {
            await h.CreateAsync(id, cts.Token);
        }

        await h.LinkAsync("a", "b", cts.Token);

        var result = await h.Dependencies.LinkAsync(["b"], ["a", "c"], "blocks", null, cts.Token);

        Assert.Equal([new DependencyEdge("b", "c", "blocks")], result.Created);
        Assert.Equal(("b", "a"), (result.Errors[0].From, result.Errors[0].To));
    }

    [Fact]
    public async Task Non_blocking_types_may_point_both_ways()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.CreateAsync("a", cts.Token);
        await h.CreateAsync("b", cts.Token);

        await h.LinkAsync("a", "b", cts.Token, "relates-to");
        await h.LinkAsync("b", "a", cts.Token, "relates-to");
        await h.LinkAsync("b", "a", cts.Token, "blocks");
    }

    [Fact]
    public async Task A_second_contains_parent_is_refused_in_the_errors()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.CreateAsync("p1", cts.Token);
        await h.CreateAsync("p2", cts.Token);
        await h.CreateAsync("kid", cts.Token, parent: "p1");

        var result = await h.Dependencies.LinkAsync(["p2"], ["kid"], "contains", null, cts.Token);

        var error = Assert.Single(result.Errors);
        Assert.Equal((ErrorCodes.DependencyCycle, "Task kid already has parent p1"), (error.Code, error.Message));
        Assert.Empty(result.Created);
    }

    [Fact]
    public async Task A_contains_cycle_is_refused()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.CreateAsync("p", cts.Token);
        await h.CreateAsync("kid", cts.Token, parent: "p");
        await h.CreateAsync("grandkid", cts.Token, parent: "kid");

        var result = await h.Dependencies.LinkAsync(["grandkid"], ["p"], "contains", null, cts.Token);

        Assert.Equal(ErrorCodes.DependencyCycle, Assert.Single(result.Errors).Code);
    }

    [Fact]
    public async Task Unknown_dependency_type_is_invalid_field_value_and_changes_nothing()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.CreateAsync("a", cts.Token);
        await h.CreateAsync("b", cts.Token);

        var link = await h.FailsCleanlyAsync(ErrorCodes.InvalidFieldValue, () => h.Dependencies.LinkAsync(["a"], ["b"], "owns", null, cts.Token), cts.Token);
        await h.FailsCleanlyAsync(ErrorCodes.InvalidFieldValue, () => h.Dependencies.UnlinkAsync(["a"], ["b"], "owns", null, cts.Token), cts.Token);
        await h.FailsCleanlyAsync(ErrorCodes.InvalidFieldValue, () => h.Dependencies.RelinkAsync(["a"], ["b"], ["b"], ["a"], "owns", null, cts.Token), cts.Token);

        Assert.Equal("type", link.Field);
        Assert.StartsWith("Invalid dependency type 'owns'. Valid types: [", link.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Link_input_is_validated_before_anything_is_written()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.CreateAsync("a", cts.Token);

        await h.FailsCleanlyAsync(ErrorCodes.MissingRequiredField, () => h.Dependencies.LinkAsync([], ["a"], "blocks", null, cts.Token), cts.Token);
        var tooLong = await h.FailsCleanlyAsync(ErrorCodes.InvalidFieldValue, () => h.Dependencies.LinkAsync(["a"], [new string('x', 65)], "blocks", null, cts.Token), cts.Token);
        await h.FailsCleanlyAsync(ErrorCodes.InvalidFieldValue, () => h.Dependencies.LinkAsync([.. Enumerable.Range(0, 1001).Select(i => $"t{i}")], ["a"], "blocks", null, cts.Token), cts.Token);

        Assert.Equal("to", tooLong.Field);
    }

    [Fact]
    public async Task Unlink_removes_pairs_and_wildcards_remove_one_side()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        foreach (var id in new[] { "a", "b", "c", "d" })
        {
            await h.CreateAsync(id, cts.Token);
        }

        await h.Dependencies.LinkAsync(["a"], ["b", "c", "d"], "blocks", null, cts.Token);
        await h.LinkAsync("d", "c", cts.Token, "relates-to");

        var one = await h.Dependencies.UnlinkAsync(["a"], ["b"], "blocks", null, cts.Token);
        Assert.Equal([new DependencyEdge("a", "b", "blocks")], one.Removed);

        var missing = await h.Dependencies.UnlinkAsync(["a"], ["b"], "blocks", null, cts.Token);
        Assert.Equal("DEPENDENCY_NOT_FOUND", Assert.Single(missing.Errors).Code);

        var outgoing = await h.Dependencies.UnlinkAsync(["a"], ["*"], "blocks", null, cts.Token);
        Assert.Equal(2, outgoing.Removed.Count);
        Assert.Equal([new DependencyEdge("d", "c", "relates-to")], await h.EdgesAsync(cts.Token));

        await h.FailsCleanlyAsync(ErrorCodes.InvalidFieldValue, () => h.Dependencies.UnlinkAsync(["*"], ["*"], "blocks", null, cts.Token), cts.Token);
    }

    [Fact]
    public async Task Unlinking_a_parent_edge_lets_the_child_take_a_new_parent()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.CreateAsync("p1", cts.Token);
        await h.CreateAsync("p2", cts.Token);
        await h.CreateAsync("kid", cts.Token, parent: "p1");

        await h.Dependencies.UnlinkAsync(["p1"], ["kid"], "contains", null, cts.Token);

        await h.LinkAsync("p2", "kid", cts.Token, "contains");
    }

    [Fact]
    public async Task Relink_moves_a_child_atomically_and_a_failing_relink_changes_nothing()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.CreateAsync("p1", cts.Token);
        await h.CreateAsync("p2", cts.Token);
        await h.CreateAsync("kid", cts.Token, parent: "p1");
        await h.CreateAsync("grandkid", cts.Token, parent: "kid");

        var moved = await h.Dependencies.RelinkAsync(["p1"], ["kid"], ["p2"], ["kid"], "contains", null, cts.Token);
        Assert.True(moved.Success);
        Assert.Equal([new DependencyEdge("p1", "kid", "contains")], moved.Unlinked);
        Assert.Equal([new DependencyEdge("p2", "kid", "contains")], moved.Linked);

        var before = await h.PositionAsync(cts.Token);
        var cycle = await h.Dependencies.RelinkAsync(["p2"], ["kid"], ["grandkid"], ["kid"], "contains", null, cts.Token);
        var missing = await h.Dependencies.RelinkAsync(["p2"], ["kid"], ["nobody"], ["kid"], "contains", null, cts.Token);

        Assert.False(cycle.Success);
        Assert.StartsWith("Relink failed: ", cycle.Error, StringComparison.Ordinal);
        Assert.False(missing.Success);
        Assert.Equal(before, await h.PositionAsync(cts.Token));
        Assert.Contains(new DependencyEdge("p2", "kid", "contains"), await h.EdgesAsync(cts.Token));
    }
}
