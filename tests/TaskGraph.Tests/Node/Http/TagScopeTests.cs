using System.Text.Json;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;
using static TaskGraph.Tests.Node.Http.Http;

namespace TaskGraph.Tests.Node.Http;

/// <summary>
/// A token made with <c>--tags backend</c> sees and acts on only tasks tagged backend: lists, searches and events leave
/// the others out, reading one answers TASK_NOT_FOUND, acting on one is FORBIDDEN and changes nothing, claim-next takes
/// only backend tasks, and the tasks it creates must carry a backend tag.
/// </summary>
public sealed class TagScopeTests(HttpNodeFixture fixture) : IClassFixture<HttpNodeFixture>
{
    [Fact]
    public async Task A_backend_scoped_worker_sees_claims_and_hears_of_backend_tasks_only()
    {
        var ct = Timeout(90);
        var word = "quartz" + Guid.NewGuid().ToString("N")[..8];
        var back = Unique("api");
        var front = Unique("page");
        await fixture.Admin.CallAsync("create", new { id = back, title = $"Backend {word}", tags = new[] { "backend" } }, ct);
        await fixture.Admin.CallAsync("create", new { id = front, title = $"Frontend {word}", tags = new[] { "frontend" } }, ct);
        var worker = Unique("scoped");
        var token = await fixture.Node.CreateTokenAsync(worker, "worker", ct, "--worker-id", worker, "--tags", "backend");
        await using var scoped = await fixture.Node.ConnectAsync(token, ct);
        await scoped.CallAsync("connect", new { }, ct);

        var listed = Ids(await scoped.CallAsync("list_tasks", new { limit = 500 }, ct));
        Assert.Contains(back, listed);
        Assert.DoesNotContain(front, listed);
        Assert.Contains(front, Ids(await fixture.Admin.CallAsync("list_tasks", new { limit = 500 }, ct)));
        await scoped.CallExpectForbiddenAsync("list_tasks", new { tags_any = "frontend" }, permission: null, ct);

        var hits = (await scoped.CallAsync("search", new { query = word }, ct)).GetProperty("results").EnumerateArray().Select(r => String(r, "task_id")).ToList();
        Assert.Equal([back], hits);
        var events = (await scoped.CallAsync("wait_for_events", new { since = 0, timeout_ms = 0, limit = 1000 }, ct)).GetProperty("events").EnumerateArray()
            .Where(e => String(e, "kind") == "task").Select(e => String(e, "id")).ToList();
        Assert.Contains(back, events);
        Assert.DoesNotContain(front, events);

        var hidden = await scoped.CallExpectErrorAsync("get", new { task = front }, ct);
        Assert.Equal("TASK_NOT_FOUND", String(hidden, "code"));
        await scoped.CallExpectForbiddenAsync("claim", new { task = front }, permission: null, ct);
        Assert.Null(String(await fixture.Admin.CallAsync("get", new { task = front }, ct), "worker_id"));

        // claim-next picks only from the scope, even with a frontend task ready.
        var claim = await scoped.CallAsync("claim", new { }, ct);
        var taken = String(claim.GetProperty("task"), "id")!;
        Assert.Contains("backend", (await fixture.Admin.CallAsync("get", new { task = taken }, ct)).GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(worker, String(await fixture.Admin.CallAsync("get", new { task = taken }, ct), "worker_id"));
        await scoped.CallAsync("update", new { task = taken, status = "pending" }, ct);
    }

    [Fact]
    public async Task A_scoped_lead_creates_only_tasks_carrying_a_tag_of_its_scope()
    {
        var ct = Timeout(90);
        var token = await fixture.Node.CreateTokenAsync(Unique("lead"), "lead", ct, "--tags", "backend,infra");
        await using var lead = await fixture.Node.ConnectAsync(token, ct);
        var outside = Unique("outside");
        await lead.CallExpectForbiddenAsync("create", new { id = outside, title = "No scope tag", tags = new[] { "frontend" } }, permission: null, ct);
        await lead.CallExpectForbiddenAsync("create", new { id = outside, title = "No tags at all" }, permission: null, ct);
        await lead.CallExpectForbiddenAsync("create_tree", new { tree = new { id = outside, title = "Root", tags = new[] { "infra" }, children = new[] { new { title = "Child without a tag" } } } }, permission: null, ct);
        var missing = await fixture.Admin.CallExpectErrorAsync("get", new { task = outside }, ct);
        Assert.Equal("TASK_NOT_FOUND", String(missing, "code"));

        var inside = Unique("inside");
        var created = await lead.CallAsync("create", new { id = inside, title = "Scoped", tags = new[] { "infra" } }, ct);
        Assert.Equal(inside, String(created, "id"));
    }

    [Fact]
    public async Task A_scoped_token_is_refused_query_but_reads_the_schema_while_an_unscoped_one_queries()
    {
        var ct = Timeout(90);
        var token = await fixture.Node.CreateTokenAsync(Unique("sql"), "viewer", ct, "--tags", "backend");
        await using var scoped = await fixture.Node.ConnectAsync(token, ct);
        await scoped.CallExpectForbiddenAsync("query", new { sql = "SELECT id, title FROM tasks" }, permission: null, ct);
        var (_, body) = await scoped.CallRawAsync("query", new { sql = "SELECT 1" }, ct);
        Assert.Equal("sql", String(body, "field"));
        Assert.Contains("tag scope", String(body, "message"), StringComparison.Ordinal);

        Assert.Equal(1, (await scoped.CallAsync("get_schema", new { table = "tasks" }, ct)).GetProperty("table_count").GetInt32());
        var unscoped = await fixture.Node.ConnectAsync(await fixture.Node.CreateTokenAsync(Unique("sql"), "viewer", ct), ct);
        await using (unscoped)
        {
            var answer = await unscoped.CallAsync("query", new { sql = "SELECT count(*) AS n FROM tasks" }, ct);
            Assert.Equal(1, answer.GetProperty("row_count").GetInt32());
        }
    }

    private static List<string> Ids(JsonElement list) => [.. list.GetProperty("tasks").EnumerateArray().Select(t => String(t, "id")!)];
}
