using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using TaskGraph.Core.Configuration;
using TaskGraph.Tests.Nats;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.InProcess;

/// <summary>
/// The task-graph-mcp 0.5.0 tree behaviours through the real tools: parent auto-rollup (on by default; a parent completes
/// when its last unfinished child finishes and one completed, up the tree; never over a live owner or a rejecting gate;
/// off with auto_rollup.enabled=false), <c>update(status=cancelled, cascade=true)</c> (descendants first, nothing written
/// when a descendant is someone else's), and <c>claim(files=[...])</c> (marks at claim time, warns on overlap, a held lock
/// refuses the claim). Runs on SQLite (fast lane) and on a single nats-server.
/// </summary>
public abstract class SubtreeToolTests : InProcessToolTests
{
    private static string? Status(JsonElement task) => String(task, "status");

    private static List<string> Strings(JsonElement o, string name) =>
        o.TryGetProperty(name, out var a) ? [.. a.EnumerateArray().Select(e => e.GetString()!)] : [];

    private async Task TreeAsync()
    {
        await CallAsync("create_tree", new
        {
            tree = new
            {
                id = "root",
                title = "root",
                children = new object[]
                {
                    new { id = "mid", title = "mid", children = new object[] { new { id = "leaf1", title = "leaf1" }, new { id = "leaf2", title = "leaf2" } } },
                    new { id = "side", title = "side" },
                },
            },
        });
    }

    private async Task FinishAsync(string worker, string task, string status = "completed")
    {
        await CallAsync("claim", new { worker_id = worker, task });
        await CallAsync("update", new { worker_id = worker, task, status });
    }

    [Fact]
    public async Task The_last_child_finishing_rolls_its_parents_up_the_tree()
    {
        await ConnectAsync("ru");
        await TreeAsync();
        await FinishAsync("ru", "leaf1");
        Assert.Equal("pending", Status(await GetAsync("mid")));
        await FinishAsync("ru", "side");
        await CallAsync("claim", new { worker_id = "ru", task = "leaf2" });
        var last = await CallAsync("update", new { worker_id = "ru", task = "leaf2", status = "failed" });

        // mid: leaf1 completed, leaf2 failed, none open -> completed; root: mid and side completed -> completed.
        Assert.Equal(["mid", "root"], Strings(last, "rolled_up"));
        Assert.Equal("completed", Status(await GetAsync("mid")));
        Assert.Equal("completed", Status(await GetAsync("root")));
        var history = await CallAsync("task_history", new { task = "mid" });
        Assert.Equal(["pending", "completed"], history.GetProperty("history").EnumerateArray().Select(h => String(h, "status")!));
    }

    [Fact]
    public async Task A_parent_whose_children_all_failed_or_that_another_worker_owns_is_not_rolled_up()
    {
        await ConnectAsync("rf", "holder");
        await CallAsync("create", new { id = "p1", title = "p1" });
        await CallAsync("create", new { id = "c1", title = "c1", parent = "p1" });
        var failed = await CallAsync("claim", new { worker_id = "rf", task = "c1" });
        Assert.True(failed.GetProperty("success").GetBoolean());
        Assert.False((await CallAsync("update", new { worker_id = "rf", task = "c1", status = "failed" })).TryGetProperty("rolled_up", out _));
        Assert.Equal("pending", Status(await GetAsync("p1")));

        await CallAsync("create", new { id = "p2", title = "p2" });
        await CallAsync("create", new { id = "c2", title = "c2", parent = "p2" });
        await CallAsync("claim", new { worker_id = "holder", task = "p2", force = true });
        await FinishAsync("rf", "c2");
        var p2 = await GetAsync("p2");
        Assert.Equal(("working", "holder"), (Status(p2), String(p2, "worker_id")));
    }

    [Fact]
    public async Task Cascade_cancels_the_open_descendants_first_and_leaves_the_finished_ones()
    {
        await ConnectAsync("cx");
        await TreeAsync();
        await FinishAsync("cx", "leaf1");
        await CallAsync("claim", new { worker_id = "cx", task = "leaf2" });
        await CallAsync("mark_file", new { agent = "cx", file = "src/leaf2.cs", task = "leaf2" });

        var cancelled = await CallAsync("update", new { worker_id = "cx", task = "root", status = "cancelled", cascade = true, reason = "scope cut" });
        Assert.Equal("cancelled", Status(cancelled));
        Assert.Equal(["side", "leaf2", "mid"], Strings(cancelled, "cascaded"));
        Assert.Equal("completed", Status(await GetAsync("leaf1")));
        var leaf2 = await GetAsync("leaf2");
        Assert.Equal("cancelled", Status(leaf2));
        Assert.False(leaf2.TryGetProperty("worker_id", out _));
        Assert.Empty((await CallAsync("list_marks", new { task = "leaf2" })).GetProperty("marks").EnumerateArray());
        var history = await CallAsync("task_history", new { task = "leaf2" });
        Assert.Equal("cancelled", String(history.GetProperty("history").EnumerateArray().Last(), "status"));
    }

    [Fact]
    public async Task Cascade_refuses_before_writing_when_a_descendant_is_another_workers_or_the_status_is_not_terminal()
    {
        await ConnectAsync("cy", "busy");
        await TreeAsync();
        await CallAsync("claim", new { worker_id = "busy", task = "leaf1" });

        var refused = await RefusedAsync("update", new { worker_id = "cy", task = "root", status = "cancelled", cascade = true }, "NOT_OWNER");
        Assert.Contains("leaf1 (busy)", String(refused, "message"), StringComparison.Ordinal);
        foreach (var id in new[] { "root", "mid", "leaf2", "side" })
        {
            Assert.Equal("pending", Status(await GetAsync(id)));
        }

        await RefusedAsync("update", new { worker_id = "cy", task = "root", status = "completed", cascade = true }, "INVALID_FIELD_VALUE");
        await RefusedAsync("update", new { worker_id = "cy", task = "root", cascade = true }, "MISSING_REQUIRED_FIELD");

        var forced = await CallAsync("update", new { worker_id = "cy", task = "root", status = "cancelled", cascade = true, force = true });
        Assert.Contains("leaf1", Strings(forced, "cascaded"));
        await RefusedAsync("update", new { worker_id = "busy", task = "leaf1", status = "completed" }, "LEASE_EXPIRED");
    }

    [Fact]
    public async Task Claim_with_files_marks_them_for_the_task_and_warns_on_overlap()
    {
        await ConnectAsync("fa", "fb");
        await CreateAsync("fa-t", "fb-t");
        await CallAsync("claim", new { worker_id = "fb", task = "fb-t", files = new[] { "src/shared.cs" } });

        var claim = await CallAsync("claim", new { worker_id = "fa", task = "fa-t", files = new[] { "src/shared.cs", "src/own.cs" } });
        // The shared file stays fb's (advisory marks warn, they do not change hands); the caller's own file is marked.
        Assert.Single(Strings(claim, "marked"));
        var warning = Assert.Single(claim.GetProperty("file_warnings").EnumerateArray());
        Assert.Equal(("fb", "fb-t"), (String(warning, "marked_by"), String(warning, "task")));
        var marks = (await CallAsync("list_marks", new { task = "fa-t" })).GetProperty("marks").EnumerateArray().ToList();
        Assert.Single(marks);
        Assert.EndsWith("own.cs", String(marks[0], "file"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lock_held_by_another_worker_refuses_the_claim_and_claims_nothing()
    {
        await ConnectAsync("la", "lb");
        await CreateAsync("la-t");
        await CallAsync("mark_file", new { agent = "lb", file = "lock:deploy" });
        await RefusedAsync("claim", new { worker_id = "la", task = "la-t", files = new[] { "lock:deploy" } }, "LOCK_CONFLICT");
        Assert.Equal("pending", Status(await GetAsync("la-t")));
        await RefusedAsync("claim", new { worker_id = "la", task = "la-t", files = new[] { new string('a', 5000) } }, "INVALID_FIELD_VALUE");
        Assert.Equal("pending", Status(await GetAsync("la-t")));
    }
}

/// <summary>The subtree suite on a SQLite file.</summary>
[Trait("Lane", "fast")]
public sealed class SqliteSubtreeToolTests : SubtreeToolTests
{
}

/// <summary>The subtree suite on a single nats-server (a fresh graph per test).</summary>
[Collection(NatsServerCollection.Name)]
public sealed class NatsSubtreeToolTests(NatsServerFixture nats) : SubtreeToolTests
{
    private protected override Task<InProcessNode> StartNodeAsync(TaskGraphConfig config, FakeTimeProvider? clock, CancellationToken cancellationToken) =>
        InProcessNode.StartNatsAsync(nats.Server.Url, "inproc-subtree-" + Guid.NewGuid().ToString("N")[..12], cancellationToken, config, clock);
}

/// <summary>auto_rollup.enabled=false: a parent stays where it is when its children finish.</summary>
[Trait("Lane", "fast")]
public sealed class RollupOffToolTests : InProcessToolTests
{
    protected override TaskGraphConfig Config => new() { AutoRollup = new AutoRollupSettings { Enabled = false } };

    [Fact]
    public async Task With_rollup_off_the_parent_stays_pending()
    {
        await ConnectAsync("ro");
        await CallAsync("create", new { id = "ro-p", title = "p" });
        await CallAsync("create", new { id = "ro-c", title = "c", parent = "ro-p" });
        await CallAsync("claim", new { worker_id = "ro", task = "ro-c" });
        var done = await CallAsync("update", new { worker_id = "ro", task = "ro-c", status = "completed" });
        Assert.False(done.TryGetProperty("rolled_up", out _));
        Assert.Equal("pending", String(await GetAsync("ro-p"), "status"));
    }
}
