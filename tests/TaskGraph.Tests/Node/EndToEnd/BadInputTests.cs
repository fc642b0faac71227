using System.Text.Json;
using TaskGraph.Tests.Node.Hosting;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.EndToEnd;

/// <summary>
/// The bad-input matrix through the real MCP surface of a node started with <c>--claim-limit 2</c>: every rejection has
/// its typed code and field, changes nothing (same tasks, history, agents and marks before and after), leaks no stack
/// trace or machine path, and the node keeps serving.
/// </summary>
public sealed class BadInputTests(ClaimLimitedNodeFixture fixture) : IClassFixture<ClaimLimitedNodeFixture>
{
    private const string Worker = "bi-worker";
    private const string Task = "bi-task";
    private const string Other = "bi-other";

    private readonly NodeProcess _node = fixture.Node;

    public static TheoryData<string, string, string, string?> Rejections => new()
    {
        // missing required arguments
        { "get", "{}", "MISSING_REQUIRED_FIELD", "task" },
        { "claim", """{"task":"bi-task"}""", "MISSING_REQUIRED_FIELD", "worker_id" },
        { "update", """{"worker_id":"bi-worker"}""", "MISSING_REQUIRED_FIELD", "task" },
        { "create", "{}", "MISSING_REQUIRED_FIELD", "title" },
        { "create_tree", "{}", "MISSING_REQUIRED_FIELD", "tree" },
        { "thinking", """{"agent":"bi-worker"}""", "MISSING_REQUIRED_FIELD", "thought" },
        { "link", """{"from":"bi-task"}""", "MISSING_REQUIRED_FIELD", "to" },
        { "mark_file", """{"agent":"bi-worker"}""", "MISSING_REQUIRED_FIELD", "file" },
        { "rename", """{"worker_id":"bi-worker","task":"bi-task"}""", "MISSING_REQUIRED_FIELD", "new_id" },
        { "search", "{}", "MISSING_REQUIRED_FIELD", "query" },
        { "task_history", "{}", "MISSING_REQUIRED_FIELD", "task" },
        { "disconnect", "{}", "MISSING_REQUIRED_FIELD", "worker_id" },

        // wrong JSON types
        { "create", """{"title":"typed","priority":{}}""", "INVALID_FIELD_VALUE", "priority" },
        { "create", """{"title":"typed","tags":5}""", "INVALID_FIELD_VALUE", "tags" },
        { "list_tasks", """{"limit":"abc"}""", "INVALID_FIELD_VALUE", "limit" },
        { "delete", """{"worker_id":"bi-worker","task":"bi-task","force":"maybe"}""", "INVALID_FIELD_VALUE", "force" },
        { "update", """{"worker_id":"bi-worker","task":"bi-task","points":"many"}""", "INVALID_FIELD_VALUE", "points" },
        { "claim", """{"worker_id":7,"task":"bi-task"}""", "INVALID_FIELD_VALUE", "worker_id" },
        { "create_tree", """{"tree":"not a node"}""", "INVALID_FIELD_VALUE", "tree" },

        // over the documented size limits
        { "create", $$"""{"title":"{{new string('t', 1001)}}"}""", "INVALID_FIELD_VALUE", "title" },
        { "create", $$"""{"id":"{{new string('i', 65)}}","title":"long id"}""", "INVALID_FIELD_VALUE", "id" },
        { "thinking", $$"""{"agent":"bi-worker","thought":"{{new string('x', 4097)}}"}""", "INVALID_FIELD_VALUE", "thought" },

        // negative limits and offsets
        { "list_tasks", """{"limit":-1}""", "INVALID_FIELD_VALUE", "limit" },
        { "list_tasks", """{"offset":-1}""", "INVALID_FIELD_VALUE", "offset" },
        { "search", """{"query":"anything","offset":-1}""", "INVALID_FIELD_VALUE", "offset" },
        { "scan", """{"task":"bi-task","before":-2}""", "INVALID_FIELD_VALUE", "before" },

        // unknown ids
        { "get", """{"task":"no-such-task"}""", "TASK_NOT_FOUND", "task" },
        { "update", """{"worker_id":"bi-worker","task":"no-such-task","title":"x"}""", "TASK_NOT_FOUND", "task" },
        { "claim", """{"worker_id":"bi-worker","task":"no-such-task"}""", "TASK_NOT_FOUND", "task" },
        { "claim", """{"worker_id":"ghost","task":"bi-task"}""", "AGENT_NOT_FOUND", "worker_id" },
        { "update", """{"worker_id":"bi-worker","task":"bi-task","assignee":"ghost"}""", "AGENT_NOT_FOUND", "assignee" },

        // agent and worker_id are aliases on these tools; the envelope may name either (the node is not consistent: mark_updates says agent, mark_file worker_id)
        { "thinking", """{"agent":"ghost","thought":"hello"}""", "AGENT_NOT_FOUND", "agent|worker_id" },
        { "mark_file", """{"agent":"ghost","file":"src/a.cs"}""", "AGENT_NOT_FOUND", "agent|worker_id" },
        { "mark_updates", """{"agent":"ghost"}""", "AGENT_NOT_FOUND", "agent|worker_id" },
        { "unmark_file", """{"agent":"ghost","file":"*"}""", "AGENT_NOT_FOUND", "agent|worker_id" },
        { "create", """{"title":"orphan","parent":"no-such-task"}""", "TASK_NOT_FOUND", "parent" },
        { "scan", """{"task":"no-such-task","after":1}""", "TASK_NOT_FOUND", "task" },
        { "link", """{"from":"no-such-task","to":"bi-task"}""", "TASK_NOT_FOUND", "from" },

        // duplicates
        { "create", """{"id":"bi-task","title":"again"}""", "ALREADY_EXISTS", "id" },
        { "rename", """{"worker_id":"bi-worker","task":"bi-task","new_id":"bi-other"}""", "ALREADY_EXISTS", "new_id" },
        { "connect", """{"worker_id":"bi-worker"}""", "ALREADY_EXISTS", "worker_id" },

        // unknown states, illegal transitions, unknown dependency types
        { "list_tasks", """{"status":"flying"}""", "INVALID_STATE", "status" },
        { "update", """{"worker_id":"bi-worker","task":"bi-task","status":"flying"}""", "INVALID_STATE", "status" },
        { "update", """{"worker_id":"bi-worker","task":"bi-task","status":"completed"}""", "INVALID_STATE", "status" },
        { "link", """{"from":"bi-task","to":"bi-other","type":"kinda"}""", "INVALID_FIELD_VALUE", "type" },
        { "create_tree", """{"tree":{"title":"t","children":[{"title":"a"},{"title":"b"}]},"sibling_type":"kinda"}""", "INVALID_FIELD_VALUE", "sibling_type" },
        { "disconnect", """{"worker_id":"bi-worker","final_status":"working"}""", "INVALID_FIELD_VALUE", "final_status" },
        { "unlink", """{"from":"*","to":"*"}""", "INVALID_FIELD_VALUE", null },
        { "mark_file", """{"agent":"bi-worker","file":{"path":"a"}}""", "INVALID_FIELD_VALUE", "file" },
        { "list_tasks", """{"ready":"yes"}""", "INVALID_FIELD_VALUE", "ready" },

        // unknown tool
        { "no_such_tool", "{}", "UNKNOWN_TOOL", null },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public async Task Bad_input_gets_its_typed_code_and_field_and_changes_nothing(string tool, string args, string code, string? field)
    {
        var ct = Timeout();
        await EnsureBaseAsync(ct);
        await AssertRejectedAsync(tool, JsonDocument.Parse(args).RootElement, code, field, ct);
    }

    [Fact]
    public async Task A_link_that_would_close_a_cycle_is_refused_and_no_edge_is_added()
    {
        var ct = Timeout();
        await EnsureBaseAsync(ct);
        await _node.CallAsync("create", new { id = "cy-a", title = "Cycle A" }, ct);
        await _node.CallAsync("create", new { id = "cy-b", title = "Cycle B" }, ct);
        await _node.CallAsync("link", new { from = "cy-a", to = "cy-b", type = "blocks" }, ct);

        await AssertRejectedAsync("link", new { from = "cy-b", to = "cy-a", type = "blocks" }, "DEPENDENCY_CYCLE", null, ct);
        var scan = await _node.CallAsync("scan", new { task = "cy-a", before = -1, after = -1 }, ct);
        Assert.Empty(scan.GetProperty("before").EnumerateArray());
        Assert.Equal(["cy-b"], scan.GetProperty("after").EnumerateArray().Select(t => String(t, "id")));
    }

    [Fact]
    public async Task A_second_parent_is_refused_and_the_first_parent_stays()
    {
        var ct = Timeout();
        await EnsureBaseAsync(ct);
        await _node.CallAsync("create", new { id = "sp-first", title = "First parent" }, ct);
        await _node.CallAsync("create", new { id = "sp-second", title = "Second parent" }, ct);
        await _node.CallAsync("create", new { id = "sp-child", title = "Child", parent = "sp-first" }, ct);

        var envelope = await AssertRejectedAsync("link", new { from = "sp-second", to = "sp-child", type = "contains" }, null, null, ct);
        Assert.Contains("sp-first", String(envelope, "message"));
        Assert.Equal("sp-first", String(await _node.CallAsync("get", new { task = "sp-child" }, ct), "parent"));
    }

    [Fact]
    public async Task Claims_are_exclusive_updates_are_for_owners_and_the_claim_limit_holds()
    {
        var ct = Timeout();
        await EnsureBaseAsync(ct);
        await _node.CallAsync("connect", new { worker_id = "cl-owner", force = true }, ct);
        await _node.CallAsync("connect", new { worker_id = "cl-rival", force = true }, ct);
        foreach (var id in new[] { "cl-1", "cl-2", "cl-3" })
        {
            await _node.CallAsync("create", new { id, title = $"Claim {id}" }, ct);
        }

        await _node.CallAsync("claim", new { worker_id = "cl-owner", task = "cl-1" }, ct);
        var refused = await AssertRejectedAsync("claim", new { worker_id = "cl-rival", task = "cl-1" }, "ALREADY_CLAIMED", null, ct);
        Assert.Contains("cl-owner", String(refused, "message"));
        await AssertRejectedAsync("update", new { worker_id = "cl-rival", task = "cl-1", title = "Mine now" }, "NOT_OWNER", null, ct);

        // --claim-limit 2: the third claim is refused
        await _node.CallAsync("claim", new { worker_id = "cl-owner", task = "cl-2" }, ct);
        await AssertRejectedAsync("claim", new { worker_id = "cl-owner", task = "cl-3" }, "CLAIM_LIMIT_REACHED", null, ct);
        Assert.Equal("pending", String(await _node.CallAsync("get", new { task = "cl-3" }, ct), "status"));

        // completing one makes room again
        await _node.CallAsync("update", new { worker_id = "cl-owner", task = "cl-1", status = "completed" }, ct);
        await _node.CallAsync("claim", new { worker_id = "cl-owner", task = "cl-3" }, ct);
        await _node.CallAsync("disconnect", new { worker_id = "cl-owner" }, ct);
        await _node.CallAsync("disconnect", new { worker_id = "cl-rival" }, ct);
    }

    private async Task EnsureBaseAsync(CancellationToken ct)
    {
        await _node.CallAsync("connect", new { worker_id = Worker, force = true }, ct);
        foreach (var id in new[] { Task, Other })
        {
            if ((await _node.CallRawAsync("get", new { task = id }, ct)).IsError)
            {
                await _node.CallAsync("create", new { id, title = $"Base {id}" }, ct);
            }
        }
    }

    /// <summary>
    /// Calls a tool that must be refused with <paramref name="code"/> (any typed code but INTERNAL_ERROR when null) and
    /// <paramref name="field"/> (when given; "a|b" accepts either).
    /// </summary>
    private async Task<JsonElement> AssertRejectedAsync(string tool, object args, string? code, string? field, CancellationToken ct)
    {
        var before = await SnapshotAsync(ct);
        var envelope = await _node.CallExpectErrorEnvelopeAsync(tool, args, ct);
        var actualCode = String(envelope, "code")!;
        if (code is null)
        {
            Assert.NotEqual("INTERNAL_ERROR", actualCode);
        }
        else
        {
            Assert.Equal(code, actualCode);
        }

        if (field is not null)
        {
            Assert.Contains(String(envelope, "field"), field.Split('|'));
        }

        var message = String(envelope, "message")!;
        Assert.False(string.IsNullOrWhiteSpace(message));
        foreach (var text in new[] { envelope.GetRawText(), message })
        {
            Assert.DoesNotContain("   at ", text);
            Assert.DoesNotContain("Exception", text);
            Assert.DoesNotContain(_node.WorkDir, text);
            Assert.DoesNotContain(Path.GetTempPath(), text);
        }

        // Nothing changed, and the node still answers.
        Assert.Equal(before, await SnapshotAsync(ct));
        return envelope;
    }

    private async Task<string> SnapshotAsync(CancellationToken ct)
    {
        var tasks = await _node.CallAsync("list_tasks", new { limit = 1000, sort_by = "created_at", sort_order = "asc" }, ct);
        var history = await _node.CallAsync("project_history", new { limit = 1000 }, ct);
        var agents = await _node.CallAsync("list_agents", new { stale_timeout = 0 }, ct);
        var workers = agents.GetProperty("workers").EnumerateArray()
            .Select(w => $"{String(w, "id")}:{w.GetProperty("claim_count").GetInt32()}:{string.Join(",", Strings(w, "claimed_tasks"))}");
        var marks = string.Join(";", await System.Threading.Tasks.Task.WhenAll(
            agents.GetProperty("workers").EnumerateArray().Select(async w => (await _node.CallAsync("list_marks", new { agent = String(w, "id") }, ct)).GetRawText())));
        // The summary's total_time_ms grows with the clock (open rows count up to now), so only the counts are compared.
        var summary = history.GetProperty("summary");
        var counts = $"{summary.GetProperty("total_transitions").GetInt32()}/{summary.GetProperty("tasks_affected").GetInt32()}";
        return string.Join('\n', tasks.GetRawText(), counts, history.GetProperty("transitions").GetRawText(), string.Join('|', workers), marks);
    }
}
