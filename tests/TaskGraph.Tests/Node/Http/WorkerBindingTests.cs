using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;
using static TaskGraph.Tests.Node.Http.Http;

namespace TaskGraph.Tests.Node.Http;

/// <summary>
/// A token created with <c>--worker-id w1</c> acts only as w1 (invariant 8): identity arguments naming someone else are
/// FORBIDDEN and change nothing, absent ones are filled with w1.
/// </summary>
public sealed class WorkerBindingTests(HttpNodeFixture fixture) : IClassFixture<HttpNodeFixture>
{
    [Fact]
    public async Task A_token_bound_to_w1_connects_and_claims_as_w1_and_may_not_act_as_w2()
    {
        var ct = Timeout(90);
        var token = await fixture.Node.CreateTokenAsync("bound-w1", "worker", ct, "--worker-id", "w1");
        await using var w1 = await fixture.Node.ConnectAsync(token, ct);
        var task = Unique("bound-task");
        await fixture.Admin.CallAsync("create", new { id = task, title = "Claimed by whoever the token is" }, ct);

        // connect() with no arguments registers the token's worker.
        var connected = await w1.CallAsync("connect", new { }, ct);
        Assert.Equal("w1", String(connected, "worker_id"));
        Assert.Contains("w1", await AgentIdsAsync(ct));

        // Naming another worker is refused, and nothing changes.
        await w1.CallExpectForbiddenAsync("claim", new { worker_id = "w2", task }, permission: null, ct);
        var untouched = await fixture.Admin.CallAsync("get", new { task }, ct);
        Assert.Equal(("pending", null), (String(untouched, "status"), String(untouched, "worker_id")));
        await w1.CallExpectForbiddenAsync("connect", new { worker_id = "w2" }, permission: null, ct);
        await w1.CallExpectForbiddenAsync("thinking", new { agent = "w2", thought = "pretending" }, permission: null, ct);
        Assert.DoesNotContain("w2", await AgentIdsAsync(ct));

        // claim() without a worker id claims as w1.
        var claim = await w1.CallAsync("claim", new { task }, ct);
        Assert.True(claim.GetProperty("success").GetBoolean());
        Assert.Equal("w1", String(claim.GetProperty("task"), "worker_id"));
        Assert.Equal(("working", "w1"), OwnerOf(await fixture.Admin.CallAsync("get", new { task }, ct)));

        // Naming itself explicitly is fine, and so is finishing its own task without naming anyone.
        await w1.CallAsync("thinking", new { agent = "w1", thought = "on it" }, ct);
        var done = await w1.CallAsync("update", new { task, status = "completed" }, ct);
        Assert.Equal("completed", String(done, "status"));
        await w1.CallAsync("disconnect", new { }, ct);
        Assert.DoesNotContain("w1", await AgentIdsAsync(ct));
    }

    [Fact]
    public async Task A_bound_token_reads_the_whole_graph_its_read_filters_are_not_narrowed_to_its_worker()
    {
        // list_tasks(agent) and list_marks(agent) are filters, not identities: filling them from the token would make a
        // bound worker's reads fail before it connects (AGENT_NOT_FOUND) and hide other workers' marks from it.
        var ct = Timeout(90);
        var me = Unique("reader");
        var rival = Unique("rival");
        var task = Unique("read-task");
        var file = "src/" + Unique("common") + ".cs";
        await fixture.Admin.CallAsync("create", new { id = task, title = "Visible to every reader" }, ct);
        await fixture.Admin.CallAsync("connect", new { worker_id = rival }, ct);
        await fixture.Admin.CallAsync("mark_file", new { agent = rival, file, reason = "editing" }, ct);
        await using var bound = await fixture.Node.ConnectAsync(await fixture.Node.CreateTokenAsync(Unique("bound-reader"), "worker", ct, "--worker-id", me), ct);

        Assert.Contains(task, Ids(await bound.CallAsync("list_tasks", new { limit = 200 }, ct)));
        await bound.CallAsync("connect", new { }, ct);
        Assert.Contains(task, Ids(await bound.CallAsync("list_tasks", new { limit = 200 }, ct)));
        var marks = await bound.CallAsync("list_marks", new { files = new[] { file } }, ct);
        Assert.Equal(rival, String(Assert.Single(marks.GetProperty("marks").EnumerateArray()), "agent"));

        // Its own mark on the same file is advisory: it gets the rival's name back as a warning.
        var mine = await bound.CallAsync("mark_file", new { file }, ct);
        Assert.Equal(rival, String(Assert.Single(mine.GetProperty("warnings").EnumerateArray()), "marked_by"));
        await bound.CallAsync("disconnect", new { }, ct);
        await fixture.Admin.CallAsync("disconnect", new { worker_id = rival }, ct);
    }

    private static (string?, string?) OwnerOf(System.Text.Json.JsonElement task) => (String(task, "status"), String(task, "worker_id"));

    private async Task<List<string>> AgentIdsAsync(CancellationToken ct) =>
        [.. (await fixture.Admin.CallAsync("list_agents", null, ct)).GetProperty("workers").EnumerateArray().Select(w => String(w, "id")!)];
}
