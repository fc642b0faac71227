namespace TaskGraph.Tests.Node.Hosting;

/// <summary>The executable keeps its read-model snapshot beside the SQLite file and starts from it the next time (ADR 0010).</summary>
public sealed class NodeSnapshotRestartTests
{
    [Fact]
    public async Task A_node_restarted_on_the_same_sqlite_file_starts_from_its_snapshot_and_answers_the_same()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = cts.Token;
        await using var first = await NodeProcess.StartKillableAsync(ct);
        await first.CallAsync("connect", new { worker_id = "ada" }, ct);
        for (var i = 0; i < 20; i++)
        {
            await first.CallAsync("create", new { id = $"snap-{i}", title = $"Task {i}", tags = new[] { i % 2 == 0 ? "backend" : "frontend" } }, ct);
        }

        await first.CallAsync("link", new { from = "snap-0", to = "snap-1", type = "blocks" }, ct);
        await first.CallAsync("claim", new { worker_id = "ada", task = "snap-0" }, ct);
        await first.CallAsync("update", new { worker_id = "ada", task = "snap-0", status = "completed" }, ct);
        var listed = (await first.CallAsync("list_tasks", new { limit = 100 }, ct)).GetRawText();
        var history = (await first.CallAsync("task_history", new { task = "snap-0" }, ct)).GetProperty("history").GetRawText();
        Assert.Contains(first.Stderr, l => l.Contains("read model: rebuilt from scratch (no snapshot yet)", StringComparison.Ordinal));

        // A clean shutdown writes the snapshot.
        Assert.Equal(0, await first.CloseStdinAndWaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(File.Exists(first.DbPath + ".readmodel"), "no snapshot beside the store; stderr:\n" + string.Join('\n', first.Stderr));

        await using var second = await NodeProcess.StartSharingAsync(first, ct);
        Assert.Equal(listed, (await second.CallAsync("list_tasks", new { limit = 100 }, ct)).GetRawText());
        Assert.Equal(history, (await second.CallAsync("task_history", new { task = "snap-0" }, ct)).GetProperty("history").GetRawText());
        Assert.Contains(second.Stderr, l => l.Contains("read model: loaded snapshot at position", StringComparison.Ordinal) && l.Contains("replayed 0 changes", StringComparison.Ordinal));
    }
}
