using Microsoft.Extensions.Time.Testing;
using TaskGraph.Core.Configuration;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.InProcess;

/// <summary>
/// <c>connect</c>, <c>disconnect</c>, <c>list_agents</c> and <c>thinking</c> through the real tools, on a fake clock so
/// heartbeats and lease lapses are exact: nothing waits on the wall clock.
/// </summary>
[Trait("Lane", "fast")]
public sealed class WorkerToolTests : InProcessToolTests
{
    private const int StaleSeconds = 60;

    private readonly FakeTimeProvider _clock = new(InProcessNode.FakeEpoch);

    protected override TaskGraphConfig Config => new() { Server = new ServerSettings { StaleTimeoutSeconds = StaleSeconds } };

    protected override FakeTimeProvider Clock => _clock;

    [Fact]
    public async Task Connect_answers_the_worker_its_deadline_and_the_workflow_and_a_taken_id_needs_force()
    {
        var alice = await CallAsync("connect", new { worker_id = "alice", tags = new[] { "backend", "rust" } });
        Assert.Equal("alice", String(alice, "worker_id"));
        Assert.Equal(["backend", "rust"], Strings(alice, "tags"));
        var now = InProcessNode.FakeEpoch.ToUnixTimeMilliseconds();
        Assert.Equal(now, alice.GetProperty("registered_at").GetInt64());
        Assert.Equal(now + (StaleSeconds * 1000), alice.GetProperty("heartbeat_deadline").GetInt64());
        var config = alice.GetProperty("config");
        Assert.Equal(["pending", "assigned", "working", "completed", "failed", "cancelled"], Strings(config, "states"));
        Assert.Equal("pending", String(config, "initial_state"));
        Assert.Equal(["working"], Strings(config, "timed_states"));
        Assert.Contains("blocks", Strings(config, "dependency_types"));
        Assert.Contains("contains", Strings(config, "dependency_types"));
        Assert.Equal("{\"kind\":\"sqlite\"}", alice.GetProperty("store").GetRawText());

        var taken = await RefusedAsync("connect", new { worker_id = "alice" }, "ALREADY_EXISTS");
        Assert.Equal("worker_id", String(taken, "field"));
        Assert.Contains("force", String(taken, "message"), StringComparison.Ordinal);

        // force replaces the tags
        await CallAsync("connect", new { worker_id = "alice", tags = new[] { "docs" }, force = true });
        var listed = Assert.Single((await CallAsync("list_agents")).GetProperty("workers").EnumerateArray());
        Assert.Equal(["docs"], Strings(listed, "tags"));
    }

    [Fact]
    public async Task Connect_without_an_id_generates_a_fresh_one_each_time()
    {
        var first = String(await CallAsync("connect"), "worker_id");
        var second = String(await CallAsync("connect"), "worker_id");
        Assert.False(string.IsNullOrWhiteSpace(first));
        Assert.NotEqual(first, second);
        Assert.Equal(new[] { first, second }.Order(), (await CallAsync("list_agents")).GetProperty("workers").EnumerateArray().Select(w => String(w, "id")).Order());
    }

    [Fact]
    public async Task List_agents_filters_by_tags_and_by_task_and_counts_claims()
    {
        await CallAsync("connect", new { worker_id = "alice", tags = new[] { "backend" } });
        await CallAsync("connect", new { worker_id = "bob", tags = new[] { "frontend" } });
        await CreateAsync("api", "ui");
        await CallAsync("claim", new { worker_id = "alice", task = "api" });

        var backend = Assert.Single((await CallAsync("list_agents", new { tags = new[] { "backend" } })).GetProperty("workers").EnumerateArray());
        Assert.Equal(("alice", 1), (String(backend, "id"), backend.GetProperty("claim_count").GetInt32()));
        Assert.Equal(["api"], Strings(backend, "claimed_tasks"));
        var owners = (await CallAsync("list_agents", new { task = "api" })).GetProperty("workers").EnumerateArray();
        Assert.Equal(["alice"], owners.Select(w => String(w, "id")));
        var bob = (await CallAsync("list_agents", new { tags = new[] { "frontend" } })).GetProperty("workers").EnumerateArray().Single();
        Assert.Equal(0, bob.GetProperty("claim_count").GetInt32());
        Assert.Empty(Strings(bob, "claimed_tasks"));
    }

    [Fact]
    public async Task Thinking_is_a_heartbeat_and_puts_the_thought_on_the_owned_tasks_named()
    {
        await ConnectAsync("alice");
        await CreateAsync("one", "two");
        await CallAsync("claim", new { worker_id = "alice", task = "one" });
        await CallAsync("claim", new { worker_id = "alice", task = "two" });

        _clock.Advance(TimeSpan.FromSeconds(20));
        var thought = await CallAsync("thinking", new { agent = "alice", thought = "profiling the parser", tasks = new[] { "one" } });
        Assert.Equal(1, thought.GetProperty("updated_count").GetInt32());
        Assert.Equal("profiling the parser", String(await GetAsync("one"), "current_thought"));
        Assert.Null(String(await GetAsync("two"), "current_thought"));

        var worker = (await CallAsync("list_agents")).GetProperty("workers").EnumerateArray().Single();
        var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        Assert.Equal((now, now + (StaleSeconds * 1000)), (worker.GetProperty("last_heartbeat").GetInt64(), worker.GetProperty("heartbeat_deadline").GetInt64()));
        Assert.Equal("profiling the parser", String(worker, "current_thought"));
        var listed = (await CallAsync("list_tasks", new { owner = "alice" })).GetProperty("tasks").EnumerateArray().ToDictionary(t => String(t, "id")!);
        Assert.Equal("profiling the parser", String(listed["one"], "current_thought"));
        Assert.Null(String(listed["two"], "current_thought"));

        // The thought belongs to alice's lease, not to the task: once the task is handed back it shows no thought.
        await CallAsync("update", new { worker_id = "alice", task = "one", status = "pending" });
        Assert.Null(String(await GetAsync("one"), "current_thought"));

        await RefusedAsync("thinking", new { agent = "ghost", thought = "boo" }, "AGENT_NOT_FOUND");
        var missing = await RefusedAsync("thinking", new { agent = "alice" }, "MISSING_REQUIRED_FIELD");
        Assert.Equal("thought", String(missing, "field"));
    }

    [Fact]
    public async Task Disconnect_releases_the_leavers_tasks_and_marks_to_the_final_status_and_forgets_it()
    {
        await ConnectAsync("leaver", "stayer");
        await CreateAsync("held", "kept");
        await CallAsync("claim", new { worker_id = "leaver", task = "held" });
        await CallAsync("claim", new { worker_id = "stayer", task = "kept" });
        await CallAsync("mark_file", new { agent = "leaver", file = new[] { "src/a.cs", "lock:db" }, task = "held" });

        var bye = await CallAsync("disconnect", new { worker_id = "leaver" });
        Assert.Equal((1, 2, "pending"), (bye.GetProperty("tasks_released").GetInt32(), bye.GetProperty("files_released").GetInt32(), String(bye, "final_status")));
        var held = await GetAsync("held");
        Assert.Equal(("pending", null), (String(held, "status"), String(held, "worker_id")));
        Assert.Equal("stayer", String(await GetAsync("kept"), "worker_id"));
        Assert.Empty((await CallAsync("list_marks", new { files = new[] { "src/a.cs", "lock:db" } })).GetProperty("marks").EnumerateArray());
        Assert.Equal(["stayer"], (await CallAsync("list_agents")).GetProperty("workers").EnumerateArray().Select(w => String(w, "id")));
        await RefusedAsync("claim", new { worker_id = "leaver", task = "held" }, "AGENT_NOT_FOUND");

        // another final status (untimed) is honoured; a timed one is refused
        await RefusedAsync("disconnect", new { worker_id = "stayer", final_status = "working" }, "INVALID_FIELD_VALUE");
        var failed = await CallAsync("disconnect", new { worker_id = "stayer", final_status = "failed" });
        Assert.Equal("failed", String(failed, "final_status"));
        Assert.Equal("failed", String(await GetAsync("kept"), "status"));
    }

    [Fact]
    public async Task After_the_owners_lease_lapses_another_worker_claims_without_force_and_the_late_owner_stays_fenced()
    {
        await ConnectAsync("sleeper", "taker");
        await CreateAsync("lapsing");
        await CallAsync("claim", new { worker_id = "sleeper", task = "lapsing" });
        await RefusedAsync("claim", new { worker_id = "taker", task = "lapsing" }, "ALREADY_CLAIMED");

        // The taker keeps its heartbeat, the sleeper does not. Passing the deadline also wakes the node's lease sweeper,
        // which may evict the sleeper before the taker's claim (then the sleeper is unknown until it reconnects) or after
        // it: either way the claim needs no force, and the sleeper's late write changes nothing.
        _clock.Advance(TimeSpan.FromSeconds(StaleSeconds / 2));
        await CallAsync("thinking", new { agent = "taker", thought = "waiting" });
        _clock.Advance(TimeSpan.FromSeconds((StaleSeconds / 2) + 1));

        var taken = await CallAsync("claim", new { worker_id = "taker", task = "lapsing" });
        Assert.Equal(("working", "taker"), (String(taken.GetProperty("task"), "status"), String(taken.GetProperty("task"), "worker_id")));
        var late = await Node.CallExpectErrorEnvelopeAsync("update", new { worker_id = "sleeper", task = "lapsing", status = "completed" }, Ct);
        Assert.Contains(String(late, "code"), new[] { "LEASE_EXPIRED", "AGENT_NOT_FOUND" });
        AssertWellFormed(late);

        // Reconnecting does not bring the claim back: once the taker finished it, the sleeper's completion is LEASE_EXPIRED
        // naming the finisher.
        await ConnectAsync("sleeper");
        await CallAsync("update", new { worker_id = "taker", task = "lapsing", status = "completed" });
        var fenced = await RefusedAsync("update", new { worker_id = "sleeper", task = "lapsing", status = "completed" }, "LEASE_EXPIRED");
        Assert.Equal("taker", String(fenced.GetProperty("details"), "finished_by"));
        Assert.Contains(String(fenced.GetProperty("details"), "lost_by"), new[] { "takeover", "evict" });
        Assert.Contains("'taker'", String(fenced, "message"), StringComparison.Ordinal);
        var done = await GetAsync("lapsing");
        Assert.Equal(("completed", null), (String(done, "status"), String(done, "worker_id")));
    }

    [Fact]
    public async Task List_agents_evicts_workers_silent_past_its_stale_timeout_and_releases_their_tasks()
    {
        // list_agents' own stale_timeout (10 s) is shorter than the lease and than the sweeper's first round (15 s), so
        // the eviction is list_agents' and nothing races it.
        await ConnectAsync("gone", "here");
        await CreateAsync("orphaned");
        await CallAsync("claim", new { worker_id = "gone", task = "orphaned" });
        _clock.Advance(TimeSpan.FromSeconds(9));
        await CallAsync("thinking", new { agent = "here", thought = "alive" });
        _clock.Advance(TimeSpan.FromSeconds(2));

        var agents = await CallAsync("list_agents", new { stale_timeout = 10 });
        Assert.Equal(["here"], agents.GetProperty("workers").EnumerateArray().Select(w => String(w, "id")));
        var cleanup = agents.GetProperty("cleanup");
        Assert.Equal(["gone"], Strings(cleanup, "evicted_worker_ids"));
        Assert.Equal(1, cleanup.GetProperty("tasks_released").GetInt32());
        var orphaned = await GetAsync("orphaned");
        Assert.Equal(("pending", null), (String(orphaned, "status"), String(orphaned, "worker_id")));
        await RefusedAsync("thinking", new { agent = "gone", thought = "back" }, "AGENT_NOT_FOUND");
    }
}
