using System.Text.Json;
using TaskGraph.Core.Configuration;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.InProcess;

/// <summary>
/// <c>update</c> and <c>claim</c> through the real tools: the owner guard (NOT_OWNER, ALREADY_CLAIMED and what
/// <c>force</c> overrides), legal exits (INVALID_STATE naming the allowed ones), start-blocking dependencies
/// (DEPENDENCY_NOT_SATISFIED with <c>blocked_by</c>), tags, the claim limit, unblocking and assignment.
/// Runs on SQLite (fast lane) and on a single nats-server.
/// </summary>
public abstract class TransitionToolTests : InProcessToolTests
{
    protected override TaskGraphConfig Config => new() { Server = new ServerSettings { ClaimLimit = 2 } };

    [Fact]
    public async Task A_claim_makes_the_task_working_and_owned_and_a_rival_is_refused_unless_forced()
    {
        await ConnectAsync("owner", "rival");
        await CreateAsync("t1");

        var claim = await CallAsync("claim", new { worker_id = "owner", task = "t1" });
        Assert.True(claim.GetProperty("success").GetBoolean());
        var task = claim.GetProperty("task");
        Assert.Equal(("t1", "working", "owner"), (String(task, "id"), String(task, "status"), String(task, "worker_id")));
        Assert.True(task.GetProperty("claimed_at").GetInt64() > 0);

        var taken = await RefusedAsync("claim", new { worker_id = "rival", task = "t1" }, "ALREADY_CLAIMED");
        Assert.Contains("owner", String(taken, "message"), StringComparison.Ordinal);
        var notOwner = await RefusedAsync("update", new { worker_id = "rival", task = "t1", title = "Mine now" }, "NOT_OWNER");
        Assert.Contains("owner", String(notOwner, "message"), StringComparison.Ordinal);
        Assert.Equal(("t1", "owner"), (String(await GetAsync("t1"), "title"), String(await GetAsync("t1"), "worker_id")));

        // force takes it over; while the rival holds it, the former owner's write is refused naming the rival
        var forced = await CallAsync("claim", new { worker_id = "rival", task = "t1", force = true });
        Assert.Equal("rival", String(forced.GetProperty("task"), "worker_id"));
        // (NOT_OWNER, as FencedLateWriteTests decides for a holder still at work; LEASE_EXPIRED once it is not)
        var refused = await RefusedAsync("update", new { worker_id = "owner", task = "t1", status = "completed" }, "NOT_OWNER");
        Assert.Equal("rival", String(refused.GetProperty("details"), "owner"));
        Assert.Equal("working", String(await GetAsync("t1"), "status"));

        // once the rival hands it back, the former owner is still fenced on it: LEASE_EXPIRED, lost by force
        await CallAsync("update", new { worker_id = "rival", task = "t1", status = "pending" });
        var fenced = await RefusedAsync("update", new { worker_id = "owner", task = "t1", status = "completed" }, "LEASE_EXPIRED");
        Assert.Equal("force", String(fenced.GetProperty("details"), "lost_by"));
        Assert.Equal("worker_id", String(fenced, "field"));
        await RefusedAsync("thinking", new { agent = "owner", thought = "still on it", tasks = new[] { "t1" } }, "LEASE_EXPIRED");
        Assert.Equal(("pending", null), (String(await GetAsync("t1"), "status"), String(await GetAsync("t1"), "worker_id")));

        // a fresh claim lifts the fence
        await CallAsync("claim", new { worker_id = "owner", task = "t1" });
        await CallAsync("update", new { worker_id = "owner", task = "t1", status = "completed" });
    }

    [Fact]
    public async Task An_edit_by_another_worker_with_force_is_applied()
    {
        await ConnectAsync("owner", "lead");
        await CreateAsync("t2");
        await CallAsync("claim", new { worker_id = "owner", task = "t2" });

        var edited = await CallAsync("update", new { worker_id = "lead", task = "t2", priority = 9, force = true });
        Assert.Equal(9, edited.GetProperty("priority").GetInt32());
        var got = await GetAsync("t2");
        Assert.Equal((9, "owner"), (got.GetProperty("priority").GetInt32(), String(got, "worker_id")));
    }

    [Fact]
    public async Task An_illegal_move_is_invalid_state_naming_the_allowed_exits_and_force_does_not_bypass_it()
    {
        await ConnectAsync("w");
        await CreateAsync("legal");

        var refused = await RefusedAsync("update", new { worker_id = "w", task = "legal", status = "completed" }, "INVALID_STATE");
        Assert.Equal("status", String(refused, "field"));
        Assert.Equal(["assigned", "working", "cancelled"], Strings(refused.GetProperty("details"), "allowed"));
        Assert.Contains("assigned, working, cancelled", String(refused, "message"), StringComparison.Ordinal);
        await RefusedAsync("update", new { worker_id = "w", task = "legal", status = "completed", force = true }, "INVALID_STATE");

        var unknown = await RefusedAsync("update", new { worker_id = "w", task = "legal", status = "flying" }, "INVALID_STATE");
        Assert.Contains("pending", String(unknown, "message"), StringComparison.Ordinal);

        // cancelled is terminal: nothing leaves it
        await CallAsync("update", new { worker_id = "w", task = "legal", status = "cancelled" });
        var terminal = await RefusedAsync("update", new { worker_id = "w", task = "legal", status = "pending" }, "INVALID_STATE");
        Assert.Empty(Strings(terminal.GetProperty("details"), "allowed"));
        Assert.Equal("cancelled", String(await GetAsync("legal"), "status"));
    }

    [Fact]
    public async Task An_unfinished_blocker_refuses_the_claim_naming_only_the_blockers_that_still_block_and_force_bypasses_it()
    {
        await ConnectAsync("w");
        await CreateAsync("done-first", "still-open", "blocked");
        await CallAsync("link", new { from = new[] { "done-first", "still-open" }, to = "blocked", type = "blocks" });
        await CallAsync("claim", new { worker_id = "w", task = "done-first" });
        await CallAsync("update", new { worker_id = "w", task = "done-first", status = "completed" });

        var refused = await RefusedAsync("claim", new { worker_id = "w", task = "blocked" }, "DEPENDENCY_NOT_SATISFIED");
        Assert.Equal(["still-open"], Strings(refused, "blocked_by"));
        Assert.Contains("still-open", String(refused, "message"), StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(String(refused, "suggestion")));

        // the same guard on update to the claim state, and nothing changed
        var viaUpdate = await RefusedAsync("update", new { worker_id = "w", task = "blocked", status = "working" }, "DEPENDENCY_NOT_SATISFIED");
        Assert.Equal(["still-open"], Strings(viaUpdate, "blocked_by"));
        var untouched = await GetAsync("blocked");
        Assert.Equal(("pending", null), (String(untouched, "status"), String(untouched, "worker_id")));

        var forced = await CallAsync("claim", new { worker_id = "w", task = "blocked", force = true });
        Assert.Equal("working", String(forced.GetProperty("task"), "status"));
    }

    [Fact]
    public async Task Completing_a_blocker_lists_what_it_unblocked_and_clears_the_owner()
    {
        await ConnectAsync("w");
        await CreateAsync("blocker", "next-a", "next-b", "waits-on-two", "other");
        await CallAsync("link", new { from = "blocker", to = new[] { "next-a", "next-b", "waits-on-two" }, type = "blocks" });
        await CallAsync("link", new { from = "other", to = "waits-on-two", type = "blocks" });
        await CallAsync("claim", new { worker_id = "w", task = "blocker" });

        var completed = await CallAsync("update", new { worker_id = "w", task = "blocker", status = "completed" });
        Assert.Equal("completed", String(completed, "status"));
        Assert.Null(String(completed, "worker_id"));
        Assert.Equal(["next-a", "next-b"], Strings(completed, "unblocked").Order());
        Assert.Equal(["next-a", "next-b", "other"], Ids(await CallAsync("list_tasks", new { ready = true })).Order());
    }

    [Fact]
    public async Task A_parent_with_open_children_cannot_be_completed_even_with_force()
    {
        await ConnectAsync("w");
        await CallAsync("create_tree", new { tree = new { id = "parent", title = "Parent", children = new object[] { new { id = "child", title = "Child" } } } });
        await CallAsync("update", new { worker_id = "w", task = "parent", status = "working", force = true });

        var refused = await RefusedAsync("update", new { worker_id = "w", task = "parent", status = "completed", force = true }, "INVALID_STATE");
        Assert.Contains("child", String(refused, "message"), StringComparison.Ordinal);
        Assert.Equal("working", String(await GetAsync("parent"), "status"));
    }

    [Fact]
    public async Task Releasing_to_pending_clears_the_owner_and_finishing_a_finished_task_is_not_owner_naming_the_finisher()
    {
        await ConnectAsync("w", "late");
        await CreateAsync("rel", "fin");
        await CallAsync("claim", new { worker_id = "w", task = "rel" });
        var released = await CallAsync("update", new { worker_id = "w", task = "rel", status = "pending", reason = "handing it back" });
        Assert.Equal("pending", String(released, "status"));
        Assert.Null(String(released, "worker_id"));
        Assert.Contains("rel", Ids(await CallAsync("list_tasks", new { ready = true })));

        await CallAsync("claim", new { worker_id = "w", task = "fin" });
        await CallAsync("update", new { worker_id = "w", task = "fin", status = "completed" });
        var late = await RefusedAsync("update", new { worker_id = "late", task = "fin", status = "completed" }, "NOT_OWNER");
        Assert.Equal("w", String(late.GetProperty("details"), "finished_by"));
    }

    [Fact]
    public async Task Assigning_gives_the_task_to_the_assignee_who_then_claims_it()
    {
        await ConnectAsync("lead", "dev");
        await CreateAsync("assign-me");

        var assigned = await CallAsync("update", new { worker_id = "lead", task = "assign-me", assignee = "dev" });
        Assert.Equal(("assigned", "dev"), (String(assigned, "status"), String(assigned, "worker_id")));
        await RefusedAsync("claim", new { worker_id = "lead", task = "assign-me" }, "ALREADY_CLAIMED");
        var claimed = await CallAsync("claim", new { worker_id = "dev", task = "assign-me" });
        Assert.Equal(("working", "dev"), (String(claimed.GetProperty("task"), "status"), String(claimed.GetProperty("task"), "worker_id")));
    }

    [Fact]
    public async Task Needed_and_wanted_tags_decide_who_may_claim()
    {
        await CallAsync("connect", new { worker_id = "rustacean", tags = new[] { "rust", "linux" } });
        await CallAsync("connect", new { worker_id = "generalist" });
        await CallAsync("create", new { id = "needs-rust", title = "Port the parser", needed_tags = new[] { "rust", "linux" } });
        await CallAsync("create", new { id = "wants-one", title = "Profile", wanted_tags = new[] { "windows", "linux" } });

        await RefusedAsync("claim", new { worker_id = "generalist", task = "needs-rust" }, "TAG_MISMATCH");
        await RefusedAsync("claim", new { worker_id = "generalist", task = "wants-one", force = true }, "TAG_MISMATCH");
        await CallAsync("claim", new { worker_id = "rustacean", task = "needs-rust" });
        await CallAsync("claim", new { worker_id = "rustacean", task = "wants-one" });
    }

    [Fact]
    public async Task The_claim_limit_holds_even_with_force_and_completing_makes_room()
    {
        await ConnectAsync("busy");
        await CreateAsync("l1", "l2", "l3");
        await CallAsync("claim", new { worker_id = "busy", task = "l1" });
        await CallAsync("claim", new { worker_id = "busy", task = "l2" });

        await RefusedAsync("claim", new { worker_id = "busy", task = "l3" }, "CLAIM_LIMIT_REACHED");
        await RefusedAsync("claim", new { worker_id = "busy", task = "l3", force = true }, "CLAIM_LIMIT_REACHED");
        await RefusedAsync("claim", new { worker_id = "busy" }, "CLAIM_LIMIT_REACHED");
        Assert.Equal("pending", String(await GetAsync("l3"), "status"));

        await CallAsync("update", new { worker_id = "busy", task = "l1", status = "completed" });
        await CallAsync("claim", new { worker_id = "busy", task = "l3" });
    }

    [Fact]
    public async Task Claim_without_a_task_takes_the_best_ready_task_and_answers_no_ready_task_with_counts_when_drained()
    {
        // Ported from the process-spawning ClaimNextOverStdioTests: the tool behaviour, not the transport.
        await CallAsync("connect", new { worker_id = "alice", tags = new[] { "rust" } });
        await ConnectAsync("bob");
        await CallAsync("create", new { id = "plain", title = "Write the changelog", priority = 5 });
        await CallAsync("create", new { id = "rusty", title = "Port the parser", priority = 8, needed_tags = new[] { "rust" } });
        await CallAsync("create", new { id = "docs", title = "Document the API", priority = 1, tags = new[] { "docs" }, phase = "review" });
        await CallAsync("create", new { id = "after", title = "Release", priority = 10 });
        await CallAsync("link", new { from = "plain", to = "after", type = "blocks" });

        // the schema: task is optional, the filters are described
        var schema = (await Node.Client.ListToolsAsync(cancellationToken: Ct)).Single(t => t.Name == "claim").JsonSchema;
        var required = schema.TryGetProperty("required", out var r) ? r.EnumerateArray().Select(e => e.GetString()).ToList() : [];
        Assert.DoesNotContain("task", required);
        foreach (var parameter in new[] { "tags_any", "phase", "parent" })
        {
            Assert.False(string.IsNullOrWhiteSpace(schema.GetProperty("properties").GetProperty(parameter).GetProperty("description").GetString()));
        }

        // bob lacks rust: he gets the plain task; alice gets the rust one although it was created later (priority 8 > 5).
        Assert.Equal("plain", String((await CallAsync("claim", new { worker_id = "bob" })).GetProperty("task"), "id"));
        var alices = await CallAsync("claim", new { agent = "alice" });
        var task = alices.GetProperty("task");
        Assert.Equal(("rusty", "Port the parser", "working", "alice"), (String(task, "id"), String(task, "title"), String(task, "status"), String(task, "worker_id")));

        // the same answer shape as a claim by id
        await CallAsync("create", new { id = "by-id", title = "Claimed by id", priority = 0 });
        var byId = await CallAsync("claim", new { worker_id = "bob", task = "by-id" });
        Assert.Equal(Keys(byId), Keys(alices));
        Assert.Equal(Keys(byId.GetProperty("task")), Keys(task));

        // filters: tags_any as a plain string, phase
        await RefusedAsync("claim", new { worker_id = "alice", tags_any = "api" }, "NO_READY_TASK");
        Assert.Equal("docs", String((await CallAsync("claim", new { worker_id = "alice", tags_any = "docs", phase = "review" })).GetProperty("task"), "id"));

        // drained for alice (claim limit 2 is not the reason: she holds two, so complete one first)
        await CallAsync("update", new { worker_id = "alice", task = "docs", status = "completed" });
        var drained = await RefusedAsync("claim", new { worker_id = "alice" }, "NO_READY_TASK");
        var details = drained.GetProperty("details");
        Assert.Equal((1, 2, 0), (details.GetProperty("blocked").GetInt32(), details.GetProperty("claimed").GetInt32(), details.GetProperty("tag_mismatch").GetInt32()));
        Assert.False(string.IsNullOrWhiteSpace(String(drained, "suggestion")));

        // completing the blocker makes it claimable; force needs a task
        await CallAsync("update", new { worker_id = "bob", task = "plain", status = "completed" });
        Assert.Equal("after", String((await CallAsync("claim", new { worker_id = "alice" })).GetProperty("task"), "id"));
        var refused = await RefusedAsync("claim", new { worker_id = "bob", force = true }, "INVALID_FIELD_VALUE");
        Assert.Equal("force", String(refused, "field"));
    }

    [Fact]
    public async Task Claim_next_within_a_parent_takes_only_its_direct_children()
    {
        await ConnectAsync("w");
        await CallAsync("create_tree", new
        {
            tree = new
            {
                id = "epic",
                title = "Epic",
                children = new object[] { new { id = "story", title = "Story", children = new object[] { new { id = "grandchild", title = "Deep", priority = 10 } } }, new { id = "direct", title = "Direct", priority = 1 } },
            },
        });
        await CreateAsync("outside");

        Assert.Equal("direct", String((await CallAsync("claim", new { worker_id = "w", parent = "epic" })).GetProperty("task"), "id"));
        await RefusedAsync("claim", new { worker_id = "w", parent = "epic" }, "NO_READY_TASK");
    }

    private static List<string> Keys(JsonElement o) => [.. o.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];
}
