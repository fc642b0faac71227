using System.Text.Json;
using TaskGraph.Tests.Node.Hosting;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;
using static TaskGraph.Tests.Node.Http.Http;

namespace TaskGraph.Tests.Node.Http;

/// <summary>
/// Every write a tool call makes carries who made it, in the record itself (no second write): the <c>audit</c> tool
/// (admin only) and <c>taskgraph audit</c> read the trail back from the store's log, naming each principal.
/// </summary>
public sealed class AuditTests(HttpNodeFixture fixture) : IClassFixture<HttpNodeFixture>
{
    [Fact]
    public async Task Writes_over_http_name_their_token_in_the_audit_tool_and_cli_and_a_viewer_may_not_read_it()
    {
        var ct = Timeout(90);
        var worker = Unique("auditee");
        var token = await fixture.Node.CreateTokenAsync(worker, "worker", ct, "--worker-id", worker);
        await using var session = await fixture.Node.ConnectAsync(token, ct);
        var task = Unique("audited");
        await fixture.Admin.CallAsync("create", new { id = task, title = "Who touched this?" }, ct);
        await session.CallAsync("connect", new { }, ct);
        await session.CallAsync("claim", new { task }, ct);
        await session.CallExpectForbiddenAsync("delete", new { task }, "delete", ct);

        var mine = (await fixture.Admin.CallAsync("audit", new { principal = worker, limit = 1000 }, ct)).GetProperty("entries").EnumerateArray().ToList();
        Assert.Contains(mine, e => (String(e, "tool"), String(e, "key"), String(e, "role")) == ("claim", "task." + task, "worker"));
        Assert.Contains(mine, e => (String(e, "tool"), String(e, "key")) == ("connect", "worker." + worker));
        Assert.DoesNotContain(mine, e => String(e, "tool") == "delete");
        Assert.All(mine, e => Assert.Matches("^[0-9a-f]{16}$", String(e, "digest")));
        var created = (await fixture.Admin.CallAsync("audit", new { tool = "create", limit = 1000 }, ct)).GetProperty("entries").EnumerateArray();
        Assert.Contains(created, e => (String(e, "key"), String(e, "principal")) == ("task." + task, "fixture-admin"));

        await session.CallExpectForbiddenAsync("audit", new { }, "*", ct);

        var cli = await fixture.Node.RunCliAsync(ct, "audit", "--principal", worker, "--json");
        Assert.True(cli.ExitCode == 0, cli.Stderr);
        var rows = JsonDocument.Parse(cli.Stdout).RootElement.EnumerateArray().ToList();
        Assert.Equal(mine.Count, rows.Count);
        Assert.All(rows, r => Assert.Equal(worker, String(r, "principal")));
    }

    [Fact]
    public async Task Writes_over_stdio_are_stamped_as_the_local_principal()
    {
        var ct = Timeout(60);
        await using var node = await NodeProcess.StartAsync(ct);
        await node.CallAsync("create", new { id = "local-write", title = "Made from a shell" }, ct);
        var entry = Assert.Single((await node.CallAsync("audit", new { tool = "create" }, ct)).GetProperty("entries").EnumerateArray());
        Assert.Equal(("stdio", "task.local-write", null), (String(entry, "principal"), String(entry, "key"), String(entry, "role")));
    }
}
