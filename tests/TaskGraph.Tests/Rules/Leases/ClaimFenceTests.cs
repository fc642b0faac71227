using TaskGraph.Core.Records;
using TaskGraph.Core.Workflows;

namespace TaskGraph.Tests.Rules.Leases;

/// <summary>The fence list on a task record: who lost the claim, bounded, and cleared by a fresh claim.</summary>
[Trait("Lane", "fast")]
public sealed class ClaimFenceTests
{
    [Fact]
    public void A_former_owner_that_loses_the_task_to_someone_else_is_fenced_with_the_epoch_it_held()
    {
        var before = new TaskRecord { Id = "t", Status = "working", Owner = "a", LeaseEpoch = 3 };
        var next = ClaimFence.Apply(before, before with { Owner = "b", LeaseEpoch = 4 }, "b", "takeover", 100);

        Assert.Equal([new FencedClaim("a", 3, "takeover", 100)], next.Fenced);
        Assert.NotNull(ClaimFence.For(next, "a"));
        Assert.Null(ClaimFence.For(next, "b"));
    }

    [Fact]
    public void An_owner_releasing_its_own_task_is_not_fenced_and_a_fresh_claim_clears_the_entry()
    {
        var owned = new TaskRecord { Id = "t", Status = "working", Owner = "a", LeaseEpoch = 1 };
        Assert.Null(ClaimFence.Apply(owned, owned with { Owner = null, Status = "pending" }, "a", "release", 1).Fenced);

        var fenced = owned with { Owner = null, Status = "pending", Fenced = [new FencedClaim("a", 1, "evict", 5)] };
        Assert.Null(ClaimFence.Apply(fenced, fenced with { Owner = "a", Status = "working" }, "a", "claim", 9).Fenced);
    }

    [Fact]
    public void The_fence_list_keeps_only_the_newest_entries()
    {
        var task = new TaskRecord { Id = "t", Status = "working" };
        for (var i = 0; i < ClaimFence.MaxEntries + 4; i++)
        {
            var owned = task with { Owner = $"w{i}", LeaseEpoch = i };
            task = ClaimFence.Apply(owned, owned with { Owner = $"w{i + 1}" }, $"w{i + 1}", "force", i);
        }

        Assert.Equal(ClaimFence.MaxEntries, task.Fenced!.Count);
        Assert.Equal("w11", task.Fenced[^1].WorkerId);
        Assert.Null(ClaimFence.For(task, "w0"));
    }
}
