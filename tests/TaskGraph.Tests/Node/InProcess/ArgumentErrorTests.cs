using System.Text.Json;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.InProcess;

/// <summary>
/// The bad-input matrix through the real tools of one shared node with claim limit 2 (ported from the process-spawning
/// BadInputTests): every rejection has its typed code and field (never INTERNAL_ERROR), changes nothing (same tasks,
/// history, agents and marks before and after), leaks no stack trace or machine path, and the node keeps serving.
/// </summary>
[Trait("Lane", "fast")]
public sealed class ArgumentErrorTests(ClaimLimitTwoNodeFixture node) : InProcessToolTests(node), IClassFixture<ClaimLimitTwoNodeFixture>
{
    private const string Worker = "ai-worker";

    public static TheoryData<string, string, string, string?> Rejections => new()
    {
        // missing required arguments
        { "get", "{}", "MISSING_REQUIRED_FIELD", "task" },
        { "claim", """{"task":"ai-task"}""", "MISSING_REQUIRED_FIELD", "worker_id" },
        { "update", """{"worker_id":"ai-worker"}""", "MISSING_REQUIRED_FIELD", "task" },
        { "create", "{}", "MISSING_REQUIRED_FIELD", "title" },
        { "create_tree", "{}", "MISSING_REQUIRED_FIELD", "tree" },
        { "thinking", """{"agent":"ai-worker"}""", "MISSING_REQUIRED_FIELD", "thought" },
        { "link", """{"from":"ai-task"}""", "MISSING_REQUIRED_FIELD", "to" },
        { "mark_file", """{"agent":"ai-worker"}""", "MISSING_REQUIRED_FIELD", "file" },
        { "rename", """{"worker_id":"ai-worker","task":"ai-task"}""", "MISSING_REQUIRED_FIELD", "new_id" },
        { "search", "{}", "MISSING_REQUIRED_FIELD", "query" },
        { "task_history", "{}", "MISSING_REQUIRED_FIELD", "task" },
        { "disconnect", "{}", "MISSING_REQUIRED_FIELD", "worker_id" },

        // wrong JSON types
        { "create", """{"title":"typed","priority":{}}""", "INVALID_FIELD_VALUE", "priority" },
        { "create", """{"title":"typed","tags":5}""", "INVALID_FIELD_VALUE", "tags" },
        { "list_tasks", """{"limit":"abc"}""", "INVALID_FIELD_VALUE", "limit" },
        { "delete", """{"worker_id":"ai-worker","task":"ai-task","force":"maybe"}""", "INVALID_FIELD_VALUE", "force" },
        { "update", """{"worker_id":"ai-worker","task":"ai-task","points":"many"}""", "INVALID_FIELD_VALUE", "points" },
        { "claim", """{"worker_id":7,"task":"ai-task"}""", "INVALID_FIELD_VALUE", "worker_id" },
        { "create_tree", """{"tree":"not a node"}""", "INVALID_FIELD_VALUE", "tree" },

        // over the documented size limits
        { "create", $$"""{"title":"{{new string('t', 1001)}}"}""", "INVALID_FIELD_VALUE", "title" },
        { "create", $$"""{"id":"{{new string('i', 65)}}","title":"long id"}""", "INVALID_FIELD_VALUE", "id" },
        { "thinking", $$"""{"agent":"ai-worker","thought":"{{new string('x', 4097)}}"}""", "INVALID_FIELD_VALUE", "thought" },

        // negative limits and offsets
        { "list_tasks", """{"limit":-1}""", "INVALID_FIELD_VALUE", "limit" },
        { "list_tasks", """{"offset":-1}""", "INVALID_FIELD_VALUE", "offset" },
        { "search", """{"query":"anything","offset":-1}""", "INVALID_FIELD_VALUE", "offset" },
        { "scan", """{"task":"ai-task","before":-2}""", "INVALID_FIELD_VALUE", "before" },

        // unknown ids
        { "get", """{"task":"no-such-task"}""", "TASK_NOT_FOUND", "task" },
        { "update", """{"worker_id":"ai-worker","task":"no-such-task","title":"x"}""", "TASK_NOT_FOUND", "task" },
        { "claim", """{"worker_id":"ai-worker","task":"no-such-task"}""", "TASK_NOT_FOUND", "task" },
        { "claim", """{"worker_id":"ghost","task":"ai-task"}""", "AGENT_NOT_FOUND", "worker_id" },
        { "update", """{"worker_id":"ai-worker","task":"ai-task","assignee":"ghost"}""", "AGENT_NOT_FOUND", "assignee" },

        // agent and worker_id are aliases on these tools; the envelope may name either (the node is not consistent: mark_updates says agent, mark_file worker_id)
        { "thinking", """{"agent":"ghost","thought":"hello"}""", "AGENT_NOT_FOUND", "agent|worker_id" },
        { "mark_file", """{"agent":"ghost","file":"src/a.cs"}""", "AGENT_NOT_FOUND", "agent|worker_id" },
        { "mark_updates", """{"agent":"ghost"}""", "AGENT_NOT_FOUND", "agent|worker_id" },
        { "unmark_file", """{"agent":"ghost","file":"*"}""", "AGENT_NOT_FOUND", "agent|worker_id" },
        { "create", """{"title":"orphan","parent":"no-such-task"}""", "TASK_NOT_FOUND", "parent" },
        { "scan", """{"task":"no-such-task","after":1}""", "TASK_NOT_FOUND", "task" },
        { "link", """{"from":"no-such-task","to":"ai-task"}""", "TASK_NOT_FOUND", "from" },

        // duplicates
        { "create", """{"id":"ai-task","title":"again"}""", "ALREADY_EXISTS", "id" },
        { "rename", """{"worker_id":"ai-worker","task":"ai-task","new_id":"ai-other"}""", "ALREADY_EXISTS", "new_id" },
        { "connect", """{"worker_id":"ai-worker"}""", "ALREADY_EXISTS", "worker_id" },

        // unknown states, illegal transitions, unknown dependency types
        { "list_tasks", """{"status":"flying"}""", "INVALID_STATE", "status" },
        { "update", """{"worker_id":"ai-worker","task":"ai-task","status":"flying"}""", "INVALID_STATE", "status" },
        { "update", """{"worker_id":"ai-worker","task":"ai-task","status":"completed"}""", "INVALID_STATE", "status" },
        { "link", """{"from":"ai-task","to":"ai-other","type":"kinda"}""", "INVALID_FIELD_VALUE", "type" },
        { "create_tree", """{"tree":{"title":"t","children":[{"title":"a"},{"title":"b"}]},"sibling_type":"kinda"}""", "INVALID_FIELD_VALUE", "sibling_type" },
        { "disconnect", """{"worker_id":"ai-worker","final_status":"working"}""", "INVALID_FIELD_VALUE", "final_status" },
        { "unlink", """{"from":"*","to":"*"}""", "INVALID_FIELD_VALUE", null },
        { "mark_file", """{"agent":"ai-worker","file":{"path":"a"}}""", "INVALID_FIELD_VALUE", "file" },
        { "list_tasks", """{"ready":"yes"}""", "INVALID_FIELD_VALUE", "ready" },

        // unknown tool
        { "no_such_tool", "{}", "UNKNOWN_TOOL", null },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public async Task Bad_input_gets_its_typed_code_and_field_and_changes_nothing(string tool, string args, string code, string? field)
    {
        await EnsureBaseAsync();
        await AssertRejectedAsync(tool, JsonDocument.Parse(args).RootElement, code, field);
    }

    [Theory]
    [InlineData("create", """{"title":"t","priority":[1]}""", "priority")]
    [InlineData("create", """{"title":["not","a","string"]}""", "title")]
    [InlineData("update", """{"worker_id":"ai-worker","task":"ai-task","force":5}""", "force")]
    [InlineData("claim", """{"worker_id":"ai-worker","task":{"id":"ai-task"}}""", "task")]
    [InlineData("link", """{"from":"ai-task","to":7}""", "to")]
    [InlineData("thinking", """{"agent":"ai-worker","thought":42}""", "thought")]
    [InlineData("list_tasks", """{"tags_any":{"a":1}}""", "tags_any")]
    [InlineData("search", """{"query":"x","limit":true}""", "limit")]
    public async Task A_wrong_json_type_is_an_invalid_field_value_naming_the_field(string tool, string args, string field)
    {
        await EnsureBaseAsync();
        await AssertRejectedAsync(tool, JsonDocument.Parse(args).RootElement, "INVALID_FIELD_VALUE", field);
    }

    [Theory]
    [InlineData("update", "worker_id")]
    [InlineData("claim", "worker_id")]
    [InlineData("delete", "worker_id")]
    [InlineData("rename", "worker_id")]
    [InlineData("unlink", "from")]
    [InlineData("relink", "prev_from")]
    [InlineData("unmark_file", "agent")]
    [InlineData("scan", "task")]
    public async Task Every_required_argument_missing_is_missing_required_field_never_internal_error(string tool, string field)
    {
        await EnsureBaseAsync();
        await AssertRejectedAsync(tool, new { }, "MISSING_REQUIRED_FIELD", field);
    }

    private async Task EnsureBaseAsync()
    {
        await ConnectAsync(Worker);
        foreach (var id in new[] { "ai-task", "ai-other" })
        {
            if ((await CallRawAsync("get", new { task = id })).IsError)
            {
                await CreateAsync(id);
            }
        }
    }

    /// <summary>
    /// Calls a tool that must be refused with <paramref name="code"/> and <paramref name="field"/> (when given; "a|b"
    /// accepts either), and proves the refusal changed nothing.
    /// </summary>
    private async Task AssertRejectedAsync(string tool, object args, string code, string? field)
    {
        var before = await SnapshotAsync();
        var envelope = await RefusedAsync(tool, args, code);
        if (field is not null)
        {
            Assert.Contains(String(envelope, "field"), field.Split('|'));
        }

        Assert.Equal(before, await SnapshotAsync());
    }

    private async Task<string> SnapshotAsync()
    {
        var tasks = await CallAsync("list_tasks", new { limit = 1000, sort_by = "created_at", sort_order = "asc" });
        var history = await CallAsync("project_history", new { limit = 1000 });
        var agents = await CallAsync("list_agents", new { stale_timeout = 0 });
        var workers = agents.GetProperty("workers").EnumerateArray()
            .Select(w => $"{String(w, "id")}:{w.GetProperty("claim_count").GetInt32()}:{string.Join(",", Strings(w, "claimed_tasks"))}").ToList();
        var marks = new List<string>();
        foreach (var w in agents.GetProperty("workers").EnumerateArray())
        {
            marks.Add((await CallAsync("list_marks", new { agent = String(w, "id") })).GetRawText());
        }

        // The summary's total_time_ms grows with the clock (open rows count up to now), so only the counts are compared.
        var summary = history.GetProperty("summary");
        var counts = $"{summary.GetProperty("total_transitions").GetInt32()}/{summary.GetProperty("tasks_affected").GetInt32()}";
        return string.Join('\n', tasks.GetRawText(), counts, history.GetProperty("transitions").GetRawText(), string.Join('|', workers), string.Join(';', marks));
    }
}
