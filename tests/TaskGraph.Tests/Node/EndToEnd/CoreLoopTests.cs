using TaskGraph.Tests.Node.Hosting;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.EndToEnd;

/// <summary>
/// The whole agent loop against the built executable over stdio with the real MCP client: two agents, a sequenced tree,
/// ready, claim, thinking, marks and locks, mark_updates, blocked claims, completion with unblocking, history, search,
/// scan and disconnect. One node of its own, because the ready-set assertions need a graph nobody else writes to.
/// </summary>
public sealed class CoreLoopTests
{
    [Fact]
    public async Task Two_agents_run_the_core_loop_over_stdio_from_connect_to_disconnect()
    {
        var ct = Timeout();
        await using var node = await NodeProcess.StartAsync(ct);

        // connect two agents
        var alice = await node.CallAsync("connect", new { worker_id = "alice", tags = new[] { "backend" } }, ct);
        Assert.Equal("alice", alice.GetProperty("worker_id").GetString());
        Assert.Equal("bob", (await node.CallAsync("connect", new { worker_id = "bob" }, ct)).GetProperty("worker_id").GetString());

        // create_tree: a parent with three children in sequence
        var tree = await node.CallAsync("create_tree", new
        {
            tree = new
            {
                id = "epic",
                title = "Ship the manifest importer",
                children = new object[]
                {
                    new { id = "step-1", title = "Parse the manifest", description = "Read the quarterly zeppelin manifest into records" },
                    new { id = "step-2", title = "Validate the records", description = "Check every record against the schema" },
                    new { id = "step-3", title = "Load the records", description = "Write the records to the warehouse" },
                },
            },
            sibling_type = "follows",
            worker_id = "alice",
        }, ct);
        Assert.Equal(["epic", "step-1", "step-2", "step-3"], Strings(tree, "all_ids"));
        Assert.Equal(4, tree.GetProperty("count").GetInt32());

        // ready: only the first child (the container is excluded, the followers are blocked)
        Assert.Equal(["step-1"], Ids(await node.CallAsync("list_tasks", new { ready = true }, ct)));
        var blocked = await node.CallAsync("list_tasks", new { blocked = true }, ct);
        Assert.Equal(["step-2", "step-3"], Ids(blocked).Order());

        // claim it
        var claim = await node.CallAsync("claim", new { worker_id = "alice", task = "step-1" }, ct);
        Assert.True(claim.GetProperty("success").GetBoolean());
        Assert.Equal("working", claim.GetProperty("task").GetProperty("status").GetString());
        Assert.Equal("alice", claim.GetProperty("task").GetProperty("worker_id").GetString());
        Assert.Empty(Ids(await node.CallAsync("list_tasks", new { ready = true }, ct)));

        // thinking: a heartbeat plus a thought that shows on the task
        var heartbeatBefore = await LastHeartbeatAsync(node, "alice", ct);
        var thinking = await node.CallAsync("thinking", new { agent = "alice", thought = "reading the zeppelin manifest" }, ct);
        Assert.Equal(1, thinking.GetProperty("updated_count").GetInt32());
        Assert.True(await LastHeartbeatAsync(node, "alice", ct) >= heartbeatBefore);
        var step1 = await node.CallAsync("get", new { task = "step-1" }, ct);
        Assert.Equal("reading the zeppelin manifest", String(step1, "current_thought"));
        Assert.Equal("alice", String(step1, "worker_id"));
        Assert.Equal("epic", String(step1, "parent"));

        // bob's mark cursor starts here: he should see alice's marks and their release
        var bobUpdates = await node.CallAsync("mark_updates", new { agent = "bob" }, ct);
        Assert.Empty(bobUpdates.GetProperty("new_marks").EnumerateArray());

        // advisory mark: the second agent gets a warning naming the holder, and the mark stays alice's
        var marked = await node.CallAsync("mark_file", new { agent = "alice", file = "src/manifest.cs", task = "step-1", reason = "parser" }, ct);
        var markedPath = Assert.Single(Strings(marked, "marked"));
        Assert.Equal("src/manifest.cs", markedPath); // relative to the project root (the node's working directory)
        var bobMark = await node.CallAsync("mark_file", new { agent = "bob", file = "src/manifest.cs" }, ct);
        var warning = Assert.Single(bobMark.GetProperty("warnings").EnumerateArray());
        Assert.Equal("alice", String(warning, "marked_by"));
        Assert.Equal(markedPath, String(warning, "file"));
        var marks = await node.CallAsync("list_marks", new { files = new[] { "src/manifest.cs" } }, ct);
        Assert.Equal("alice", String(Assert.Single(marks.GetProperty("marks").EnumerateArray()), "agent"));

        // lock: marks are exclusive
        var locked = await node.CallAsync("mark_file", new { agent = "alice", file = "lock:warehouse-schema", task = "step-1" }, ct);
        Assert.Equal(["lock:warehouse-schema"], Strings(locked, "locks_acquired"));
        var (lockCode, lockMessage, _) = await node.CallExpectErrorAsync("mark_file", new { agent = "bob", file = "lock:warehouse-schema" }, ct);
        Assert.Equal("LOCK_CONFLICT", lockCode);
        Assert.Contains("alice", lockMessage);
        Assert.Empty((await node.CallAsync("list_marks", new { agent = "bob" }, ct)).GetProperty("marks").EnumerateArray());

        // mark_updates: bob sees alice's claims, then after unmark the release
        bobUpdates = await node.CallAsync("mark_updates", new { agent = "bob" }, ct);
        var newMarks = bobUpdates.GetProperty("new_marks").EnumerateArray().ToList();
        Assert.Contains(newMarks, m => String(m, "file") == markedPath && String(m, "agent") == "alice");
        Assert.Contains(newMarks, m => String(m, "file") == "lock:warehouse-schema" && String(m, "agent") == "alice");
        Assert.Empty(bobUpdates.GetProperty("removed_marks").EnumerateArray());
        var unmarked = await node.CallAsync("unmark_file", new { agent = "alice", file = "src/manifest.cs" }, ct);
        Assert.Equal(1, unmarked.GetProperty("count").GetInt32());
        bobUpdates = await node.CallAsync("mark_updates", new { agent = "bob" }, ct);
        Assert.Empty(bobUpdates.GetProperty("new_marks").EnumerateArray());
        var removed = Assert.Single(bobUpdates.GetProperty("removed_marks").EnumerateArray());
        Assert.Equal((markedPath, "alice"), (String(removed, "file"), String(removed, "agent")));

        // the second child cannot be claimed before the first is done
        var refused = await node.CallExpectErrorEnvelopeAsync("claim", new { worker_id = "bob", task = "step-2" }, ct);
        Assert.Equal("DEPENDENCY_NOT_SATISFIED", String(refused, "code"));
        Assert.Equal(["step-1"], Strings(refused, "blocked_by"));
        Assert.Equal("pending", String(await node.CallAsync("get", new { task = "step-2" }, ct), "status"));

        // completing the first child unblocks the second
        var completed = await node.CallAsync("update", new { worker_id = "alice", task = "step-1", status = "completed" }, ct);
        Assert.Equal("completed", String(completed, "status"));
        Assert.Equal(["step-2"], Strings(completed, "unblocked"));
        Assert.Null(String(completed, "worker_id"));
        Assert.Equal(["step-2"], Ids(await node.CallAsync("list_tasks", new { ready = true }, ct)));

        // completing also released the task's remaining mark (the lock), so the lock is free for bob
        Assert.Empty((await node.CallAsync("list_marks", new { task = "step-1" }, ct)).GetProperty("marks").EnumerateArray());
        var bobRemoved = (await node.CallAsync("mark_updates", new { agent = "bob" }, ct)).GetProperty("removed_marks").EnumerateArray();
        Assert.Contains(bobRemoved, m => String(m, "file") == "lock:warehouse-schema");

        // task_history: pending -> working -> completed, with the worker and times
        var history = await node.CallAsync("task_history", new { task = "step-1" }, ct);
        var rows = history.GetProperty("history").EnumerateArray().ToList();
        Assert.Equal(["pending", "working", "completed"], rows.Select(r => String(r, "status")));
        Assert.Equal("alice", String(rows[1], "worker_id"));
        var times = rows.Select(r => r.GetProperty("timestamp").GetInt64()).ToList();
        Assert.Equal(times.Order(), times);
        Assert.Equal(times[2], rows[1].GetProperty("end_timestamp").GetInt64());
        Assert.True(history.GetProperty("time_per_agent_ms").TryGetProperty("alice", out _));
        Assert.True(history.GetProperty("time_per_status_ms").TryGetProperty("working", out _));

        // project_history counts the transitions: four created, one claimed, one completed
        var project = await node.CallAsync("project_history", null, ct);
        Assert.Equal(6, project.GetProperty("summary").GetProperty("total_transitions").GetInt32());
        Assert.Equal(4, project.GetProperty("summary").GetProperty("tasks_affected").GetInt32());
        var byStatus = project.GetProperty("transitions_by_status");
        Assert.Equal((4, 1, 1), (byStatus.GetProperty("pending").GetInt32(), byStatus.GetProperty("working").GetInt32(), byStatus.GetProperty("completed").GetInt32()));
        Assert.Equal(6, project.GetProperty("transitions").GetArrayLength());

        // search finds a task by a word of its description, with a highlighted snippet
        var search = await node.CallAsync("search", new { query = "zeppelin" }, ct);
        var hit = Assert.Single(search.GetProperty("results").EnumerateArray());
        Assert.Equal("step-1", String(hit, "task_id"));
        Assert.Contains("<mark>zeppelin</mark>", String(hit, "description_snippet"));

        // scan: before / after / above
        var scan = await node.CallAsync("scan", new { task = "step-2", before = -1, after = -1, above = -1 }, ct);
        Assert.Equal("step-2", String(scan.GetProperty("root"), "id"));
        Assert.Equal(["step-1"], scan.GetProperty("before").EnumerateArray().Select(t => String(t, "id")));
        Assert.Equal(["step-3"], scan.GetProperty("after").EnumerateArray().Select(t => String(t, "id")));
        Assert.Equal(["epic"], scan.GetProperty("above").EnumerateArray().Select(t => String(t, "id")));

        // disconnect releases the leaver's claims and marks
        await node.CallAsync("claim", new { worker_id = "bob", task = "step-2" }, ct);
        await node.CallAsync("mark_file", new { agent = "bob", file = new[] { "src/validator.cs", "lock:validator" }, task = "step-2" }, ct);
        var bye = await node.CallAsync("disconnect", new { worker_id = "bob" }, ct);
        Assert.Equal((1, 2), (bye.GetProperty("tasks_released").GetInt32(), bye.GetProperty("files_released").GetInt32()));
        var step2 = await node.CallAsync("get", new { task = "step-2" }, ct);
        Assert.Equal("pending", String(step2, "status"));
        Assert.Null(String(step2, "worker_id"));
        Assert.Empty((await node.CallAsync("list_marks", new { agent = "bob" }, ct)).GetProperty("marks").EnumerateArray());
        Assert.Equal(["step-2"], Ids(await node.CallAsync("list_tasks", new { ready = true }, ct)));
        Assert.Equal("AGENT_NOT_FOUND", (await node.CallExpectErrorAsync("claim", new { worker_id = "bob", task = "step-2" }, ct)).Code);

        // alice's own marks go with her
        await node.CallAsync("mark_file", new { agent = "alice", file = "lock:warehouse-schema" }, ct);
        bye = await node.CallAsync("disconnect", new { worker_id = "alice" }, ct);
        Assert.Equal((0, 1), (bye.GetProperty("tasks_released").GetInt32(), bye.GetProperty("files_released").GetInt32()));
        Assert.Empty((await node.CallAsync("list_marks", new { files = new[] { "lock:warehouse-schema" } }, ct)).GetProperty("marks").EnumerateArray());
        Assert.Empty((await node.CallAsync("list_agents", null, ct)).GetProperty("workers").EnumerateArray());
    }

    private static async Task<long> LastHeartbeatAsync(NodeProcess node, string worker, CancellationToken ct)
    {
        var agents = await node.CallAsync("list_agents", null, ct);
        return agents.GetProperty("workers").EnumerateArray().Single(w => String(w, "id") == worker).GetProperty("last_heartbeat").GetInt64();
    }
}
