namespace TaskGraph.Tests.ReadModels;

[Trait("Lane", "fast")]
public sealed class ReadModelMarkTests
{
    [Fact]
    public async Task Marking_and_unmarking_produce_claimed_and_released_events_linked_by_claim_id()
    {
        await using var h = await ReadModelHarness.StartedAsync();
        var marked = await h.AppliedAsync(h.Writer.MarkAsync("/src/a.rs", "w1", "t1", "editing", h.Ct));
        h.Advance(700);
        await h.AppliedAsync(h.Writer.MarkAsync("/src/a.rs", "w1", "t1", "still editing", h.Ct));
        var released = await h.AppliedAsync(h.Writer.UnmarkAsync("/src/a.rs", h.Ct));

        var events = h.Model.MarkEventsFrom(0);

        Assert.Equal(2, events.Count);
        var (claim, release) = (events[0], events[1]);
        Assert.Equal((marked.Revision, "claimed", "w1", "t1", "editing"), (claim.Id, claim.Event, claim.WorkerId, claim.TaskId, claim.Reason));
        Assert.Equal(release.Timestamp, claim.EndTimestamp);
        Assert.Equal((released.Revision, "released", "w1", "t1", (ulong?)claim.Id), (release.Id, release.Event, release.WorkerId, release.TaskId, release.ClaimId));
        Assert.Equal("still editing", release.Reason);
        Assert.Equal([release], h.Model.MarkEventsFrom(claim.Id + 1));
        Assert.Empty(h.Model.ListMarks(null, null, null));
    }

    [Fact]
    public async Task A_new_holder_without_a_release_closes_the_previous_claim()
    {
        await using var h = await ReadModelHarness.StartedAsync();
        await h.Writer.MarkAsync("lock:deploy", "w1", ct: h.Ct);
        await h.AppliedAsync(h.Writer.MarkAsync("lock:deploy", "w2", ct: h.Ct));

        var events = h.Model.MarkEventsFrom(0);

        Assert.Equal(["claimed:w1", "claimed:w2"], events.Select(e => $"{e.Event}:{e.WorkerId}"));
        Assert.NotNull(events[0].EndTimestamp);
        Assert.Null(events[1].EndTimestamp);
        Assert.True(h.Model.ListMarks(["lock:deploy"], null, null).Single().IsLock);
    }

    [Fact]
    public async Task Marks_are_listed_by_files_holder_and_task()
    {
        await using var h = await ReadModelHarness.StartedAsync();
        await h.Writer.MarkAsync("/a", "w1", "t1", ct: h.Ct);
        await h.Writer.MarkAsync("/b", "w1", "t2", ct: h.Ct);
        await h.AppliedAsync(h.Writer.MarkAsync("/c", "w2", "t1", ct: h.Ct));

        string[] Files(IEnumerable<TaskGraph.Core.Records.MarkRecord> marks) => [.. marks.Select(m => m.File)];

        Assert.Equal(["/a", "/b"], Files(h.Model.MarksOf("w1", null)));
        Assert.Equal(["/a", "/c"], Files(h.Model.MarksOf(null, "t1")));
        Assert.Equal(["/a"], Files(h.Model.MarksOf("w1", "t1")));
        Assert.Equal(["/b", "/c"], Files(h.Model.ListMarks(["/b", "/c", "/zzz"], null, null)));
        Assert.Equal(["/c"], Files(h.Model.ListMarks(["/b", "/c"], "w2", null)));
        Assert.Equal(h.NowMs, h.Model.ListMarks(["/a"], null, null).Single().MarkedAt);
    }
}
