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

    private static (string?, string?) OwnerOf(System.Text.Json.JsonElement task) => (String(task, "status"), String(task, "worker_id"));

    private async Task<List<string>> AgentIdsAsync(CancellationToken ct) =>
        [.. (await fixture.Admin.CallAsync("list_agents", null, ct)).GetProperty("workers").EnumerateArray().Select(w => String(w, "id")!)];
}
