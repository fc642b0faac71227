using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using TaskGraph.Core.Configuration;
using TaskGraph.Core.Workflows;
using TaskGraph.Tests.Nats;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.InProcess;

/// <summary>
/// The task-graph-mcp 0.5.0 tools: bulk_update (items in order, each on its own, a refused item reported in place,
/// argument errors per item, the 100-item cap), status_summary (counts over the graph and one subtree, soft-deleted left
/// out) and get_prompts (the triggers, the prompts of entering a status and phase rendered for a task and a worker, with
/// the worker's role). Runs on SQLite (fast lane) and on a single nats-server.
/// </summary>
public abstract class AnchorAdditionToolTests : InProcessToolTests
{
    protected override TaskGraphConfig Config => new()
    {
        DefaultWorkflow = new WorkflowDefinition
        {
            States = new Dictionary<string, StateDefinition>(WorkflowDefinition.DefaultStates())
            {
                ["working"] = new() { Exits = ["completed", "failed", "pending"], Timed = true, EnterPrompt = "Work {{task_id}} as {{agent_role}}", ExitPrompt = "Attach." },
            },
            PhasePrompts = new Dictionary<string, PromptPair> { ["test"] = new("Run the tests of {{task_title}}.", null) },
            Roles = new Dictionary<string, RoleDefinition> { ["dev"] = new() { Name = "dev", Tags = ["dev"] } },
            RolePrompts = new Dictionary<string, IReadOnlyDictionary<string, string>> { ["dev"] = new Dictionary<string, string> { ["claiming"] = "Mark files." } },
        },
    };

    private static List<JsonElement> Results(JsonElement answer) => [.. answer.GetProperty("results").EnumerateArray()];

    [Fact]
    public async Task Bulk_update_applies_each_item_in_order_and_reports_refusals_in_place()
    {
        await ConnectAsync("bu", "other");
        await CreateAsync("b1", "b2", "b3");
        await CallAsync("claim", new { worker_id = "other", task = "b3" });

        var answer = await CallAsync("bulk_update", new
        {
            worker_id = "bu",
            updates = new object[]
            {
                new { task = "b1", status = "working" },
                new { task = "b1", status = "completed" },
                new { task = "b2", priority = 9, phase = "test" },
                new { task = "b3", status = "cancelled" },
                new { task = "nope", status = "working" },
                new { task = "b2", status = "bogus" },
                new { status = "working" },
            },
        });
        var results = Results(answer);
        Assert.Equal(7, results.Count);
        Assert.Equal([true, true, true, false, false, false, false], results.Select(r => r.GetProperty("success").GetBoolean()));
        Assert.Equal(("working", "completed"), (String(results[0], "status"), String(results[1], "status")));
        Assert.Equal("NOT_OWNER", String(results[3].GetProperty("error"), "code"));
        Assert.Equal("TASK_NOT_FOUND", String(results[4].GetProperty("error"), "code"));
        Assert.Equal("INVALID_STATE", String(results[5].GetProperty("error"), "code"));
        Assert.Equal(("updates[6]", "updates[6].task"), (String(results[6], "task"), String(results[6].GetProperty("error"), "field")));
        Assert.Equal((3, 4), (answer.GetProperty("updated").GetInt32(), answer.GetProperty("failed").GetInt32()));

        var b2 = await GetAsync("b2");
        Assert.Equal((9, "test"), (b2.GetProperty("priority").GetInt32(), String(b2, "phase")));
        Assert.Equal(("working", "other"), (String(await GetAsync("b3"), "status"), String(await GetAsync("b3"), "worker_id")));
    }

    [Fact]
    public async Task Bulk_update_with_tasks_shares_the_fields_and_refuses_bad_shapes_whole()
    {
        await ConnectAsync("bt");
        await CreateAsync("t1", "t2");
        var answer = await CallAsync("bulk_update", new { worker_id = "bt", tasks = new[] { "t1", "t2" }, status = "cancelled", reason = "dropped" });
        Assert.All(Results(answer), r => Assert.Equal("cancelled", String(r, "status")));

        await RefusedAsync("bulk_update", new { worker_id = "bt" }, "MISSING_REQUIRED_FIELD");
        await RefusedAsync("bulk_update", new { worker_id = "bt", tasks = new[] { "t1" }, updates = new[] { new { task = "t1" } } }, "INVALID_FIELD_VALUE");
        await RefusedAsync("bulk_update", new { worker_id = "bt", tasks = Enumerable.Range(0, 101).Select(i => $"x{i}").ToArray() }, "INVALID_FIELD_VALUE");
        await RefusedAsync("bulk_update", new { worker_id = "bt", updates = "t1" }, "INVALID_FIELD_VALUE");
    }

    [Fact]
    public async Task Status_summary_counts_the_graph_and_a_subtree()
    {
        await ConnectAsync("ss");
        await CallAsync("create", new { id = "s-root", title = "root", points = 1 });
        await CallAsync("create", new { id = "s-a", title = "a", parent = "s-root", points = 3, phase = "test" });
        await CallAsync("create", new { id = "s-b", title = "b", parent = "s-root", points = 5 });
        await CallAsync("create", new { id = "s-c", title = "c" });
        await CallAsync("create", new { id = "s-gone", title = "gone" });
        await CallAsync("link", new { from = "s-c", to = "s-b" });
        await CallAsync("delete", new { worker_id = "ss", task = "s-gone" });
        await CallAsync("claim", new { worker_id = "ss", task = "s-a" });
        await CallAsync("update", new { worker_id = "ss", task = "s-a", status = "completed" });
        await CallAsync("claim", new { worker_id = "ss", task = "s-c" });
        await CallAsync("log_metrics", new { agent = "ss", task = "s-c", cost_usd = 0.25 });

        var all = await CallAsync("status_summary");
        Assert.Equal(4, all.GetProperty("total").GetInt32());
        Assert.Equal(2, all.GetProperty("by_status").GetProperty("pending").GetInt32());
        Assert.Equal(1, all.GetProperty("by_status").GetProperty("working").GetInt32());
        Assert.Equal(1, all.GetProperty("by_phase").GetProperty("test").GetInt32());
        Assert.Equal((0, 1, 1), (all.GetProperty("ready").GetInt32(), all.GetProperty("blocked").GetInt32(), all.GetProperty("claimed").GetInt32()));
        Assert.Equal((9, 3), (all.GetProperty("points").GetProperty("total").GetInt64(), all.GetProperty("points").GetProperty("done").GetInt64()));
        Assert.Equal(0.25, all.GetProperty("cost_usd").GetDouble(), 6);
        Assert.Equal(1, all.GetProperty("workers").GetInt32());

        var sub = await CallAsync("status_summary", new { parent = "s-root" });
        Assert.Equal((2, 1), (sub.GetProperty("total").GetInt32(), sub.GetProperty("blocked").GetInt32()));
        await RefusedAsync("status_summary", new { parent = "missing" }, "TASK_NOT_FOUND");
    }

    [Fact]
    public async Task Get_prompts_lists_the_triggers_and_renders_entering_for_a_task_and_a_worker()
    {
        await CallAsync("connect", new { worker_id = "gp", tags = new[] { "dev" } });
        await CallAsync("create", new { id = "gp-t", title = "Parser" });
        var triggers = await CallAsync("get_prompts");
        Assert.Equal(["enter%test", "enter~working", "exit~working", "role:dev.claiming"], triggers.GetProperty("triggers").EnumerateArray().Select(t => t.GetString()));

        var entering = await CallAsync("get_prompts", new { status = "working", phase = "test", task = "gp-t", worker_id = "gp" });
        var prompts = entering.GetProperty("prompts").EnumerateArray().Select(p => (String(p, "source"), String(p, "text"))).ToList();
        Assert.Equal(
            [("workflow:enter~working", "Work gp-t as `dev`"), ("workflow:enter%test", "Run the tests of Parser."), ("role:dev.claiming", "Mark files.")],
            prompts);
        var anonymous = await CallAsync("get_prompts", new { status = "working" });
        Assert.Equal("Work _unknown_ as _(none)_", String(anonymous.GetProperty("prompts")[0], "text"));
        await RefusedAsync("get_prompts", new { status = "nowhere" }, "INVALID_STATE");
        await RefusedAsync("get_prompts", new { status = "working", task = "missing" }, "TASK_NOT_FOUND");
    }
}

/// <summary>The 0.5.0 additions suite on a SQLite file.</summary>
[Trait("Lane", "fast")]
public sealed class SqliteAnchorAdditionToolTests : AnchorAdditionToolTests
{
}

/// <summary>The 0.5.0 additions suite on a single nats-server (a fresh graph per test).</summary>
[Collection(NatsServerCollection.Name)]
public sealed class NatsAnchorAdditionToolTests(NatsServerFixture nats) : AnchorAdditionToolTests
{
    private protected override Task<InProcessNode> StartNodeAsync(TaskGraphConfig config, FakeTimeProvider? clock, CancellationToken cancellationToken) =>
        InProcessNode.StartNatsAsync(nats.Server.Url, "inproc-anchor-" + Guid.NewGuid().ToString("N")[..12], cancellationToken, config, clock);
}
