namespace TaskGraph.Tests.ReadModels;

[Trait("Lane", "fast")]
public sealed class ReadModelHistoryTests
{
    private static readonly Func<string, bool> IsTimed = s => s == "working";

    [Fact]
    public async Task Task_history_lists_status_rows_with_who_why_and_durations_per_status_and_agent()
    {
        await using var h = await ReadModelHarness.StartedAsync();
        var t0 = h.NowMs;
        await h.Writer.CreateTaskAsync("a", actor: "lead", ct: h.Ct);
        h.Advance(1000);
        await h.Writer.SetStatusAsync("a", "working", owner: "w1", reason: "mine", ct: h.Ct);
        await h.Writer.SetPhaseAsync("a", "implement", h.Ct);
        h.Advance(2500);
        await h.AppliedAsync(h.Writer.SetStatusAsync("a", "completed", reason: "done", actor: "w1", ct: h.Ct));
        h.Advance(500);

        var history = h.Model.GetTaskHistory("a", null, IsTimed, h.NowMs);

        Assert.Equal(
            [("pending", "lead", (string?)null, t0, (long?)(t0 + 1000)), ("working", "w1", "mine", t0 + 1000, t0 + 3500), ("completed", "w1", "done", t0 + 3500, null)],
            history.History.Select(r => (r.Status, r.WorkerId, r.Reason, r.Timestamp, r.EndTimestamp)));
        Assert.Null(history.CurrentDurationMs);
        Assert.Equal(new Dictionary<string, long> { ["pending"] = 1000, ["working"] = 2500, ["completed"] = 500 }, history.TimePerStatusMs);
        Assert.Equal(new Dictionary<string, long> { ["lead"] = 1000, ["w1"] = 3000 }, history.TimePerAgentMs);
    }

    [Fact]
    public async Task The_current_duration_is_reported_only_while_the_status_is_timed()
    {
        await using var h = await ReadModelHarness.StartedAsync();
        await h.Writer.CreateTaskAsync("a", ct: h.Ct);
        h.Advance(100);
        Assert.Null(h.Model.GetTaskHistory("a", null, IsTimed, h.NowMs).CurrentDurationMs);

        await h.AppliedAsync(h.Writer.SetStatusAsync("a", "working", owner: "w1", ct: h.Ct));
        h.Advance(300);

        var history = h.Model.GetTaskHistory("a", ["working"], IsTimed, h.NowMs);
        Assert.Equal(300, history.CurrentDurationMs);
        Assert.Equal(["working"], history.History.Select(r => r.Status));
        Assert.Equal(100, history.TimePerStatusMs["pending"]);
    }

    [Fact]
    public async Task Unchanged_status_adds_no_row_and_phase_changes_stay_out_of_status_history()
    {
        await using var h = await ReadModelHarness.StartedAsync();
        await h.Writer.CreateTaskAsync("a", phase: "design", ct: h.Ct);
        await h.Writer.SetStatusAsync("a", "working", owner: "w1", ct: h.Ct);
        await h.Writer.SetStatusAsync("a", "working", owner: "w1", ct: h.Ct);
        await h.Writer.ChangeTaskAsync("a", t => t with { Title = "renamed title" }, h.Ct);
        await h.AppliedAsync(h.Writer.SetPhaseAsync("a", "implement", h.Ct));

        var rows = h.Model.GetTaskHistory("a", null, IsTimed, h.NowMs).History;

        Assert.Equal(["pending", "working"], rows.Select(r => r.Status));
        Assert.Contains("|implement|", h.Model.DumpTables(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_working_task_handed_to_another_owner_gets_a_row_so_each_owner_is_credited_with_its_own_time()
    {
        await using var h = await ReadModelHarness.StartedAsync();
        var t0 = h.NowMs;
        await h.Writer.CreateTaskAsync("a", actor: "lead", ct: h.Ct);
        await h.Writer.SetStatusAsync("a", "working", owner: "dead", ct: h.Ct);
        h.Advance(1000);
        await h.AppliedAsync(h.Writer.SetStatusAsync("a", "working", owner: "alive", ct: h.Ct));
        h.Advance(400);

        var history = h.Model.GetTaskHistory("a", null, IsTimed, h.NowMs);

        Assert.Equal(
            [("pending", "lead", t0, (long?)t0), ("working", "dead", t0, t0 + 1000), ("working", "alive", t0 + 1000, null)],
            history.History.Select(r => (r.Status, r.WorkerId, r.Timestamp, r.EndTimestamp)));
        Assert.Equal(new Dictionary<string, long> { ["lead"] = 0, ["dead"] = 1000, ["alive"] = 400 }, history.TimePerAgentMs);
    }

    [Fact]
    public async Task A_rename_carries_the_history_to_the_new_id_without_a_new_row()
    {
        await using var h = await ReadModelHarness.StartedAsync();
        await h.Writer.CreateTaskAsync("old", ct: h.Ct);
        h.Advance(50);
        await h.Writer.SetStatusAsync("old", "working", owner: "w1", ct: h.Ct);
        await h.AppliedAsync(h.Writer.RenameAsync("old", "new", h.Ct));

        var moved = h.Model.GetTaskHistory("new", null, IsTimed, h.NowMs).History;

        Assert.Equal(["pending", "working"], moved.Select(r => r.Status));
        Assert.All(moved, r => Assert.Equal("new", r.TaskId));
        Assert.Empty(h.Model.GetTaskHistory("old", null, IsTimed, h.NowMs).History);
        Assert.Null(h.Model.GetTask("old"));
        Assert.Equal("working", h.Model.GetTask("new")?.Status);
    }

    [Fact]
    public async Task Obliterating_a_task_removes_its_history_so_a_reused_id_starts_fresh()
    {
        await using var h = await ReadModelHarness.StartedAsync();
        await h.Writer.CreateTaskAsync("a", ct: h.Ct);
        await h.Writer.SetStatusAsync("a", "working", owner: "w1", ct: h.Ct);
        await h.AppliedAsync(h.Writer.ObliterateAsync("a", h.Ct));

        Assert.Null(h.Model.GetTask("a"));
        Assert.Empty(h.Model.GetTaskHistory("a", null, IsTimed, h.NowMs).History);

        await h.AppliedAsync(h.Writer.CreateTaskAsync("a", ct: h.Ct));
        Assert.Equal(["pending"], h.Model.GetTaskHistory("a", null, IsTimed, h.NowMs).History.Select(r => r.Status));
    }

    [Fact]
    public async Task Project_history_filters_by_window_and_states_newest_first_while_statistics_ignore_the_states_filter()
    {
        await using var h = await ReadModelHarness.StartedAsync();
        var t0 = h.NowMs;
        await h.Writer.CreateTaskAsync("a", actor: "lead", ct: h.Ct);
        await h.Writer.CreateTaskAsync("b", actor: "lead", ct: h.Ct);
        h.Advance(1000);
        await h.Writer.SetStatusAsync("a", "working", owner: "w1", ct: h.Ct);
        h.Advance(1000);
        await h.Writer.SetStatusAsync("b", "working", owner: "w2", ct: h.Ct);
        h.Advance(1000);
        await h.AppliedAsync(h.Writer.SetStatusAsync("a", "completed", actor: "w1", ct: h.Ct));

        var all = h.Model.GetProjectHistory(null, null, null, 100, h.NowMs);
        var window = h.Model.GetProjectHistory(t0 + 1000, t0 + 2000, ["working"], 100, h.NowMs);
        var limited = h.Model.GetProjectHistory(null, null, ["pending", "working"], 2, h.NowMs);

        Assert.Equal(["a:completed", "b:working", "a:working", "b:pending", "a:pending"], all.Transitions.Select(r => $"{r.TaskId}:{r.Status}"));
        Assert.Equal((5, 2, 1000L + 2000 + 2000 + 1000 + 0), (all.Summary.TotalTransitions, all.Summary.TasksAffected, all.Summary.TotalTimeMs));
        Assert.Equal(new Dictionary<string, int> { ["pending"] = 2, ["working"] = 2, ["completed"] = 1 }, all.TransitionsByStatus);
        Assert.Equal(new Dictionary<string, long> { ["pending"] = 3000, ["working"] = 3000, ["completed"] = 0 }, all.TimeByStatusMs);
        Assert.Equal(new Dictionary<string, int> { ["lead"] = 2, ["w1"] = 2, ["w2"] = 1 }, all.TransitionsByAgent);
        Assert.Equal(new Dictionary<string, long> { ["lead"] = 3000, ["w1"] = 2000, ["w2"] = 1000 }, all.TimeByAgentMs);

        Assert.Equal(["b:working", "a:working"], window.Transitions.Select(r => $"{r.TaskId}:{r.Status}"));
        Assert.Equal(2, window.Summary.TotalTransitions);
        Assert.Equal((t0 + 1000, t0 + 2000), (window.FromMs, window.ToMs));

        Assert.Equal(["b:working", "a:working"], limited.Transitions.Select(r => $"{r.TaskId}:{r.Status}"));
        Assert.Equal(5, limited.Summary.TotalTransitions);
    }
}
