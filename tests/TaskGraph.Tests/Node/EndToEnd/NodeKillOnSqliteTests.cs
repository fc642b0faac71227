using TaskGraph.Tests.Node.Hosting;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.EndToEnd;

/// <summary>Invariant 6 on the embedded store: every acknowledged write survives a kill -9 of the node process.</summary>
public sealed class NodeKillOnSqliteTests
{
    [Fact]
    public async Task Acknowledged_writes_survive_a_kill_9_of_the_node_and_a_new_node_on_the_same_file_sees_them_exactly_once()
    {
        var ct = Timeout();
        await using var first = await NodeProcess.StartKillableAsync(ct);
        await first.CallAsync("connect", new { worker_id = "ada" }, ct);
        foreach (var id in new[] { "brick-1", "brick-2", "brick-3" })
        {
            await first.CallAsync("create", new { id, title = $"Lay {id}" }, ct);
        }

        await first.CallAsync("claim", new { worker_id = "ada", task = "brick-1" }, ct);
        await first.CallAsync("claim", new { worker_id = "ada", task = "brick-2" }, ct);
        await first.CallAsync("update", new { worker_id = "ada", task = "brick-1", status = "completed" }, ct);
        await first.CallAsync("mark_file", new { agent = "ada", file = "lock:mortar", task = "brick-2" }, ct);

        await first.KillAsync();
        await using var second = await NodeProcess.StartSharingAsync(first, ct);

        Assert.Equal(["brick-2"], Ids(await second.CallAsync("list_tasks", new { owner = "ada" }, ct)));
        Assert.Equal("completed", String(await second.CallAsync("get", new { task = "brick-1" }, ct), "status"));
        Assert.Equal(["brick-3"], Ids(await second.CallAsync("list_tasks", new { ready = true }, ct)));
        var history = (await second.CallAsync("task_history", new { task = "brick-1" }, ct)).GetProperty("history").EnumerateArray();
        Assert.Equal(["pending", "working", "completed"], history.Select(r => String(r, "status")));
        var marks = (await second.CallAsync("list_marks", new { agent = "ada" }, ct)).GetProperty("marks").EnumerateArray();
        Assert.Equal(["lock:mortar"], marks.Select(m => String(m, "file")));

        // The agent carries on through the new process: its claim and its lock are still its own.
        await second.CallAsync("connect", new { worker_id = "ada", force = true }, ct);
        Assert.Equal("completed", String(await second.CallAsync("update", new { worker_id = "ada", task = "brick-2", status = "completed" }, ct), "status"));
    }
}
