using System.Text.Json;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;
using static TaskGraph.Tests.Node.Http.Http;

namespace TaskGraph.Tests.Node.Http;

/// <summary>
/// The default role x tool matrix over real HTTP: for each role, the calls its permissions allow succeed, and the ones
/// they do not answer FORBIDDEN naming the missing permission, after which an admin read shows the graph unchanged.
/// The lead and worker tokens are bound to a worker id (so "owned" and "yourself" are unambiguous); the viewer's is not.
/// Each test builds its own tasks on the class's node: open, open2, other (claimed by a rival), mine, ren, a parent
/// with a child and a second parent. Run on one SQLite node (<see cref="SqliteRoleMatrixTests"/>) and on two nodes
/// sharing one nats-server, the roles acting through the other node than the admin's (<see cref="NatsTwoNodeRoleMatrixTests"/>).
/// </summary>
public abstract class RoleMatrixTests
{
    private readonly IRoleMatrixNodes _nodes;

    private protected RoleMatrixTests(IRoleMatrixNodes nodes) => _nodes = nodes;

    private HttpMcpSession Admin => _nodes.Admin;

    private async Task<HttpMcpSession> ActAsAsync(string role, CancellationToken ct, params string[] tokenArgs)
    {
        var secret = await _nodes.Setup.CreateTokenAsync(Unique("m-" + role), role, ct, tokenArgs);
        var session = await HttpMcpSession.ConnectAsync(_nodes.Acting.Endpoint, secret, _nodes.ActingProtocol, ct);
        Assert.Equal(_nodes.ActingProtocol ?? "2026-07-28", session.ProtocolVersion);
        return session;
    }

    [Fact]
    public async Task An_admin_token_may_call_every_tool()
    {
        var ct = Timeout(120);
        var g = await SetUpAsync("admin", ct);
        await using var admin = await ActAsAsync("admin", ct);
        var me = g.P + "-me";

        await ReadsAsync(admin, g, ct);
        await ConnectFamilyAsync(admin, g, me, ct);
        await CreatesAsync(admin, g, ct);
        await admin.CallAsync("claim", new { worker_id = me, task = g.Mine }, ct);
        await admin.CallAsync("update", new { worker_id = me, task = g.Mine, status = "completed" }, ct);
        await UpdatesAsync(admin, g, me, ct);
        await admin.CallAsync("update", new { worker_id = me, task = g.Open2, assignee = g.Rival }, ct);

        // force, delete and manage_agents: only admin has them.
        var forced = await admin.CallAsync("update", new { worker_id = me, task = g.Other, status = "completed", force = true }, ct);
        Assert.Equal("completed", String(forced, "status"));
        await admin.CallAsync("delete", new { worker_id = me, task = g.Open }, ct);
        Assert.DoesNotContain(g.Open, Ids(await Admin.CallAsync("list_tasks", new { limit = 200 }, ct)));
        await admin.CallAsync("cleanup_stale", new { worker_id = me }, ct);
        await admin.CallAsync("disconnect", new { worker_id = g.Rival }, ct);
        Assert.DoesNotContain(g.Rival, await AgentIdsAsync(ct));
        await admin.CallAsync("disconnect", new { worker_id = me }, ct);
    }

    [Fact]
    public async Task A_lead_token_may_read_connect_create_update_assign_and_claim_but_not_delete_force_or_manage_agents()
    {
        var ct = Timeout(120);
        var g = await SetUpAsync("lead", ct);
        var me = g.P + "-me";
        await using var lead = await ActAsAsync("lead", ct, "--worker-id", me);

        await ConnectFamilyAsync(lead, g, null, ct);
        await ReadsAsync(lead, g, ct);
        await CreatesAsync(lead, g, ct);
        await lead.CallAsync("claim", new { task = g.Mine }, ct);
        await lead.CallAsync("update", new { task = g.Mine, status = "completed" }, ct);
        await UpdatesAsync(lead, g, null, ct);
        var assigned = await lead.CallAsync("update", new { task = g.Open2, assignee = g.Rival }, ct);
        Assert.Equal(g.Rival, String(assigned, "worker_id"));

        await ForbiddenAsync(lead, "delete", new { task = g.Open }, "delete", g, ct);
        await ForbiddenAsync(lead, "update", new { task = g.Other, status = "completed", force = true }, "force", g, ct);
        await ForbiddenAsync(lead, "cleanup_stale", new { }, "manage_agents", g, ct);
        await ForbiddenAsync(lead, "disconnect", new { worker_id = g.Rival }, permission: null, g, ct);

        await lead.CallAsync("disconnect", new { }, ct);
    }

    [Fact]
    public async Task A_worker_token_may_read_connect_claim_and_update_its_own_tasks_only()
    {
        var ct = Timeout(120);
        var g = await SetUpAsync("worker", ct);
        var me = g.P + "-me";
        await using var worker = await ActAsAsync("worker", ct, "--worker-id", me);

        await ConnectFamilyAsync(worker, g, null, ct);
        await ReadsAsync(worker, g, ct);
        await worker.CallAsync("claim", new { task = g.Mine }, ct);

        await ForbiddenAsync(worker, "create", new { id = g.P + "-new", title = "matrix new" }, "create", g, ct);
        await ForbiddenAsync(worker, "create_tree", new { tree = new { id = g.P + "-tree", title = "matrix tree" } }, "create", g, ct);
        await ForbiddenAsync(worker, "update", new { task = g.Open, priority = 9 }, "update", g, ct);
        await ForbiddenAsync(worker, "update", new { task = g.Other, status = "completed" }, "update", g, ct);
        await ForbiddenAsync(worker, "update", new { task = g.Mine, assignee = g.Rival }, "assign", g, ct);
        await ForbiddenAsync(worker, "update", new { task = g.Mine, priority = 9, force = true }, "force", g, ct);
        await ForbiddenAsync(worker, "rename", new { task = g.Ren, new_id = g.Ren + "-x" }, "update", g, ct);
        await ForbiddenAsync(worker, "link", new { from = g.Open, to = g.Open2, type = "blocks" }, "update", g, ct);
        await ForbiddenAsync(worker, "unlink", new { from = g.Parent1, to = g.Child, type = "contains" }, "update", g, ct);
        await ForbiddenAsync(worker, "relink", new { prev_from = g.Parent1, prev_to = g.Child, from = g.Parent2, to = g.Child }, "update", g, ct);
        await ForbiddenAsync(worker, "delete", new { task = g.Open }, "delete", g, ct);
        await ForbiddenAsync(worker, "cleanup_stale", new { }, "manage_agents", g, ct);
        await ForbiddenAsync(worker, "disconnect", new { worker_id = g.Rival }, permission: null, g, ct);

        // update_owned: its own claimed task it may finish.
        var done = await worker.CallAsync("update", new { task = g.Mine, status = "completed" }, ct);
        Assert.Equal("completed", String(done, "status"));
        await worker.CallAsync("disconnect", new { }, ct);
    }

    [Fact]
    public async Task A_viewer_token_may_only_read()
    {
        var ct = Timeout(120);
        var g = await SetUpAsync("viewer", ct);
        var me = g.P + "-me";
        await using var viewer = await ActAsAsync("viewer", ct);

        await ReadsAsync(viewer, g, ct);

        await ForbiddenAsync(viewer, "connect", new { worker_id = me }, "connect", g, ct);
        await ForbiddenAsync(viewer, "thinking", new { agent = g.Rival, thought = "not mine to think" }, "connect", g, ct);
        await ForbiddenAsync(viewer, "mark_file", new { agent = g.Rival, file = g.File }, "connect", g, ct);
        await ForbiddenAsync(viewer, "mark_updates", new { agent = g.Rival }, "connect", g, ct);
        await ForbiddenAsync(viewer, "create", new { id = g.P + "-new", title = "matrix new" }, "create", g, ct);
        await ForbiddenAsync(viewer, "create_tree", new { tree = new { id = g.P + "-tree", title = "matrix tree" } }, "create", g, ct);
        await ForbiddenAsync(viewer, "claim", new { worker_id = g.Rival, task = g.Open }, "claim", g, ct);
        await ForbiddenAsync(viewer, "update", new { worker_id = me, task = g.Open, priority = 9 }, "update", g, ct);
        await ForbiddenAsync(viewer, "rename", new { worker_id = me, task = g.Ren, new_id = g.Ren + "-x" }, "update", g, ct);
        await ForbiddenAsync(viewer, "link", new { from = g.Open, to = g.Open2, type = "blocks" }, "update", g, ct);
        await ForbiddenAsync(viewer, "delete", new { worker_id = me, task = g.Open }, "delete", g, ct);
        await ForbiddenAsync(viewer, "cleanup_stale", new { }, "manage_agents", g, ct);
        await ForbiddenAsync(viewer, "disconnect", new { worker_id = g.Rival }, permission: null, g, ct);
    }

    /// <summary>Every read tool succeeds.</summary>
    private static async Task ReadsAsync(HttpMcpSession s, Graph g, CancellationToken ct)
    {
        Assert.Equal(g.Open, String(await s.CallAsync("get", new { task = g.Open }, ct), "id"));
        Assert.Contains(g.Open, Ids(await s.CallAsync("list_tasks", new { limit = 200 }, ct)));
        await s.CallAsync("scan", new { task = g.Child, above = -1 }, ct);
        await s.CallAsync("search", new { query = "matrix" }, ct);
        await s.CallAsync("task_history", new { task = g.Open }, ct);
        await s.CallAsync("project_history", new { limit = 10 }, ct);
        await s.CallAsync("list_marks", new { task = g.Open }, ct);
        await s.CallAsync("list_agents", null, ct);
        await s.CallAsync("list_workflows", null, ct);
    }

    /// <summary>
    /// connect, thinking, mark_file, mark_updates, unmark_file as <paramref name="me"/> (null: a bound token, identity
    /// arguments left out and filled from the token).
    /// </summary>
    private static async Task ConnectFamilyAsync(HttpMcpSession s, Graph g, string? me, CancellationToken ct)
    {
        var connected = await s.CallAsync("connect", me is null ? new { } : (object)new { worker_id = me }, ct);
        var id = String(connected, "worker_id");
        Assert.Equal(g.P + "-me", id);
        await s.CallAsync("thinking", me is null ? new { thought = "matrix" } : (object)new { agent = me, thought = "matrix" }, ct);
        await s.CallAsync("mark_file", me is null ? new { file = g.File } : (object)new { agent = me, file = g.File }, ct);
        await s.CallAsync("mark_updates", me is null ? new { } : (object)new { agent = me }, ct);
        await s.CallAsync("unmark_file", me is null ? new { file = g.File } : (object)new { agent = me, file = g.File }, ct);
    }

    /// <summary>create and create_tree succeed.</summary>
    private async Task CreatesAsync(HttpMcpSession s, Graph g, CancellationToken ct)
    {
        await s.CallAsync("create", new { id = g.P + "-new", title = "matrix new" }, ct);
        await s.CallAsync("create_tree", new { tree = new { id = g.P + "-tree", title = "matrix tree", children = new[] { new { id = g.P + "-leaf", title = "matrix leaf" } } } }, ct);
        var all = Ids(await Admin.CallAsync("list_tasks", new { limit = 200 }, ct));
        Assert.Contains(g.P + "-new", all);
        Assert.Contains(g.P + "-leaf", all);
    }

    /// <summary>The update-permission tools on tasks the caller does not own: update, rename, link, unlink, relink.</summary>
    private async Task UpdatesAsync(HttpMcpSession s, Graph g, string? me, CancellationToken ct)
    {
        var updated = await s.CallAsync("update", me is null ? new { task = g.Open, priority = 8 } : (object)new { worker_id = me, task = g.Open, priority = 8 }, ct);
        Assert.Equal(8, updated.GetProperty("priority").GetInt32());
        await s.CallAsync("rename", me is null ? new { task = g.Ren, new_id = g.Ren + "-x" } : (object)new { worker_id = me, task = g.Ren, new_id = g.Ren + "-x" }, ct);
        await s.CallAsync("link", new { from = g.Open, to = g.Open2, type = "blocks" }, ct);
        await s.CallAsync("unlink", new { from = g.Open, to = g.Open2, type = "blocks" }, ct);
        var relinked = await s.CallAsync("relink", new { prev_from = g.Parent1, prev_to = g.Child, from = g.Parent2, to = g.Child }, ct);
        Assert.True(relinked.GetProperty("success").GetBoolean(), relinked.GetRawText());
        Assert.Equal(g.Parent2, String(await Admin.CallAsync("get", new { task = g.Child }, ct), "parent"));
    }

    /// <summary>A refused call: FORBIDDEN naming <paramref name="permission"/> (any permission when null), and nothing changed.</summary>
    private async Task ForbiddenAsync(HttpMcpSession s, string tool, object args, string? permission, Graph g, CancellationToken ct)
    {
        var before = await SnapshotAsync(g, ct);
        await s.CallExpectForbiddenAsync(tool, args, permission, ct);

        var after = await SnapshotAsync(g, ct);
        Assert.True(before == after, $"{tool} {JsonSerializer.Serialize(args)} was refused but changed the graph:\nbefore: {before}\nafter:  {after}");
    }

    /// <summary>What an admin sees: every task (full JSON, by id), the registered workers, the marks on the test's file.</summary>
    private async Task<string> SnapshotAsync(Graph g, CancellationToken ct)
    {
        var tasks = (await Admin.CallAsync("list_tasks", new { limit = 200 }, ct)).GetProperty("tasks").EnumerateArray()
            .Select(t => t.GetRawText()).Order(StringComparer.Ordinal);
        var marks = (await Admin.CallAsync("list_marks", new { files = new[] { g.File } }, ct)).GetProperty("marks").EnumerateArray()
            .Select(m => String(m, "file") + "@" + String(m, "agent")).Order(StringComparer.Ordinal);
        return string.Join('\n', [.. tasks, "agents: " + string.Join(',', await AgentIdsAsync(ct)), "marks: " + string.Join(',', marks)]);
    }

    private async Task<List<string>> AgentIdsAsync(CancellationToken ct) =>
        [.. (await Admin.CallAsync("list_agents", null, ct)).GetProperty("workers").EnumerateArray()
            .Select(w => String(w, "id")!).Order(StringComparer.Ordinal)];

    /// <summary>The admin builds the test's tasks and a rival worker that owns one of them.</summary>
    private async Task<Graph> SetUpAsync(string role, CancellationToken ct)
    {
        var g = new Graph(Unique("m" + role));
        var admin = Admin;
        foreach (var id in new[] { g.Open, g.Open2, g.Other, g.Mine, g.Ren, g.Parent1, g.Parent2 })
        {
            await admin.CallAsync("create", new { id, title = "matrix task " + id }, ct);
        }

        await admin.CallAsync("create", new { id = g.Child, title = "matrix child", parent = g.Parent1 }, ct);
        await admin.CallAsync("connect", new { worker_id = g.Rival }, ct);
        await admin.CallAsync("claim", new { worker_id = g.Rival, task = g.Other }, ct);
        return g;
    }

    /// <summary>The ids one matrix test uses, all starting with <see cref="P"/>.</summary>
    private sealed record Graph(string P)
    {
        public string Open => P + "-open";

        public string Open2 => P + "-open2";

        public string Other => P + "-other";

        public string Mine => P + "-mine";

        public string Ren => P + "-ren";

        public string Parent1 => P + "-parent1";

        public string Parent2 => P + "-parent2";

        public string Child => P + "-child";

        public string Rival => P + "-rival";

        public string File => "src/" + P + ".cs";
    }
}
