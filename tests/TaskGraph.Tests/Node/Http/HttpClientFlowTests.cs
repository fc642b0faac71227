using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;
using static TaskGraph.Tests.Node.Http.Http;

namespace TaskGraph.Tests.Node.Http;

/// <summary>
/// The C# MCP client over Streamable HTTP against the built executable, in both protocol generations: the client's
/// default (2026-07-28, stateless) and 2025-06-18 (initialize, <c>Mcp-Session-Id</c>). An admin token runs a task from
/// create to completed; a viewer token is refused a write in either generation.
/// </summary>
public sealed class HttpClientFlowTests(HttpNodeFixture fixture) : IClassFixture<HttpNodeFixture>
{
    /// <summary>The protocol generations: null is the client's default.</summary>
    public static TheoryData<string?> Generations => new() { (string?)null, "2025-06-18" };

    [Theory]
    [MemberData(nameof(Generations))]
    public async Task An_admin_token_creates_claims_and_completes_a_task_over_http(string? protocolVersion)
    {
        var ct = Timeout();
        await using var client = await fixture.Node.ConnectAsync(fixture.AdminToken, ct, protocolVersion);
        AssertGeneration(client, protocolVersion);
        Assert.Equal("taskgraph", client.Client.ServerInfo?.Name);

        var worker = Unique("flow");
        var task = Unique("flow-task");
        Assert.Equal(worker, String(await client.CallAsync("connect", new { worker_id = worker }, ct), "worker_id"));
        var created = await client.CallAsync("create", new { id = task, title = "Carried over HTTP" }, ct);
        Assert.Equal((task, "pending"), (String(created, "id"), String(created, "status")));

        var claim = await client.CallAsync("claim", new { worker_id = worker, task }, ct);
        Assert.True(claim.GetProperty("success").GetBoolean());
        Assert.Equal(("working", worker), (String(claim.GetProperty("task"), "status"), String(claim.GetProperty("task"), "worker_id")));

        var done = await client.CallAsync("update", new { worker_id = worker, task, status = "completed" }, ct);
        Assert.Equal("completed", String(done, "status"));

        var listed = await client.CallAsync("list_tasks", new { status = "completed", limit = 200 }, ct);
        Assert.Contains(task, Ids(listed));

        // Another connection (the fixture's admin session) sees the same store.
        Assert.Equal("completed", String(await fixture.Admin.CallAsync("get", new { task }, ct), "status"));
        await client.CallAsync("disconnect", new { worker_id = worker }, ct);
    }

    [Theory]
    [MemberData(nameof(Generations))]
    public async Task A_viewer_token_reads_but_its_create_is_forbidden_in_either_generation(string? protocolVersion)
    {
        var ct = Timeout();
        var viewerToken = await fixture.Node.CreateTokenAsync(Unique("flow-viewer"), "viewer", ct);
        await using var viewer = await fixture.Node.ConnectAsync(viewerToken, ct, protocolVersion);
        AssertGeneration(viewer, protocolVersion);

        await viewer.CallAsync("list_workflows", null, ct);
        var task = Unique("flow-refused");
        await viewer.CallExpectForbiddenAsync("create", new { id = task, title = "must not exist" }, "create", ct);
        var notFound = await fixture.Admin.CallExpectErrorAsync("get", new { task }, ct);
        Assert.Equal("TASK_NOT_FOUND", String(notFound, "code"));
    }

    [Fact]
    public async Task The_typescript_sdk_lists_tools_connects_creates_and_claims_and_is_refused_with_a_bad_token()
    {
        var ct = Timeout(120);
        var summary = await TypeScriptSdk.RunSmokeAsync(fixture.Node.Endpoint, fixture.AdminToken, ct);
        var text = summary.GetRawText();

        Assert.Equal("taskgraph", String(summary, "server"));
        Assert.Equal("2025-11-25", String(summary, "protocol_version")); // the SDK 1.32 revision: initialize and a session
        Assert.True(summary.GetProperty("has_session").GetBoolean(), text);
        Assert.Empty(new[] { "connect", "create", "claim", "update", "list_tasks" }.Except(Strings(summary, "tools")));

        var connect = summary.GetProperty("connect");
        Assert.Equal((false, "ts-worker"), (connect.GetProperty("is_error").GetBoolean(), String(connect, "worker_id")));
        var create = summary.GetProperty("create");
        Assert.False(create.GetProperty("is_error").GetBoolean(), text);
        Assert.Equal("pending", String(create, "status"));
        var claim = summary.GetProperty("claim");
        Assert.False(claim.GetProperty("is_error").GetBoolean(), text);
        Assert.True(claim.GetProperty("success").GetBoolean(), text);
        Assert.Equal(("working", "ts-worker"), (String(claim, "status"), String(claim, "worker_id")));

        var badToken = summary.GetProperty("bad_token");
        Assert.True(badToken.GetProperty("rejected").GetBoolean(), text);
        Assert.Equal(401, badToken.GetProperty("http_status").GetInt32());

        // What the SDK did is in the store.
        var task = await fixture.Admin.CallAsync("get", new { task = String(create, "id") }, ct);
        Assert.Equal(("working", "ts-worker"), (String(task, "status"), String(task, "worker_id")));
    }

    private static void AssertGeneration(HttpMcpSession client, string? protocolVersion)
    {
        if (protocolVersion is null)
        {
            // The default client prefers the newest revision, which the node serves statelessly.
            Assert.Equal("2026-07-28", client.ProtocolVersion);
        }
        else
        {
            Assert.Equal(protocolVersion, client.ProtocolVersion);
            Assert.False(string.IsNullOrEmpty(client.SessionId), "a 2025-06-18 client should hold an Mcp-Session-Id");
        }
    }
}
