using System.Text.Json;
using TaskGraph.Tests.Node.Http;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;
using static TaskGraph.Tests.Node.Http.Http;

namespace TaskGraph.Tests.Node.Cli;

/// <summary>
/// <c>taskgraph agent ...</c> run as a process: against the store a running HTTP node serves (the CLI opens the same
/// SQLite file, so both processes write one graph), and with <c>--url</c> against that node with bearer tokens. Checks
/// the documented exit codes (0 ok, 2 bad args, 3 task not found, 4 worker not found, 5 claim failed, 6 permission
/// denied), that a claim race between CLI processes has one winner, and that the node sees what the CLI did.
/// </summary>
public sealed class AgentCommandTests(HttpNodeFixture fixture) : IClassFixture<HttpNodeFixture>
{
    [Fact]
    public async Task The_agent_loop_walks_a_task_to_completed_and_every_refusal_has_its_exit_code()
    {
        var ct = Timeout(240);
        var task = Unique("cli-task");
        var (me, other) = (Unique("cli-me"), Unique("cli-other"));
        await fixture.Admin.CallAsync("create", new { id = task, title = "Done from a shell" }, ct);

        var connected = Json(await AgentAsync(0, ct, "connect", "--worker", me, "--tags", "shell,ci"));
        Assert.Equal(me, connected.GetProperty("worker_id").GetString());
        await AgentAsync(0, ct, "connect", "--worker", other);

        var claimed = Json(await AgentAsync(0, ct, "claim", "--worker", me, "--task", task));
        Assert.Equal(("working", me), (claimed.GetProperty("task").GetProperty("status").GetString(), claimed.GetProperty("task").GetProperty("worker_id").GetString()));

        var lost = await AgentAsync(5, ct, "claim", "--worker", other, "--task", task);
        Assert.Contains("ALREADY_CLAIMED", lost.Stderr, StringComparison.Ordinal);
        var notMine = await AgentAsync(6, ct, "update", "--worker", other, "--task", task, "--status", "completed");
        Assert.Contains("NOT_OWNER", notMine.Stderr, StringComparison.Ordinal);

        Assert.Equal(1, Json(await AgentAsync(0, ct, "thinking", "--worker", me, "reading the parser")).GetProperty("updated_count").GetInt32());
        await AgentAsync(0, ct, "attach", "--worker", me, "--task", task, "--type", "note", "--content", "found it");
        var mine = Json(await AgentAsync(0, ct, "list-tasks", "--owner", me));
        Assert.Equal([task], mine.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("id").GetString()));
        var detail = Json(await AgentAsync(0, ct, "get", "--task", task));
        Assert.Equal(("working", me), (detail.GetProperty("status").GetString(), detail.GetProperty("worker_id").GetString()));
        Assert.Equal("default", Json(await AgentAsync(0, ct, "prompts", "--worker", me)).GetProperty("workflow").GetString());

        await AgentAsync(0, ct, "update", "--worker", me, "--task", task, "--status", "completed", "--reason", "tests pass");

        // The serving node sees what the CLI wrote: status, the thought-free completion, the attachment.
        var seen = await fixture.Admin.CallAsync("get", new { task }, ct);
        Assert.Equal("completed", seen.GetProperty("status").GetString());
        var notes = await fixture.Admin.CallAsync("attachments", new { task }, ct);
        Assert.Contains("note", notes.GetRawText(), StringComparison.Ordinal);

        Assert.Contains("TASK_NOT_FOUND", (await AgentAsync(3, ct, "get", "--task", Unique("missing"))).Stderr, StringComparison.Ordinal);
        Assert.Contains("AGENT_NOT_FOUND", (await AgentAsync(4, ct, "claim", "--worker", Unique("ghost"), "--task", task)).Stderr, StringComparison.Ordinal);
        Assert.Contains("--task", (await AgentAsync(2, ct, "get")).Stderr, StringComparison.Ordinal);
        await AgentAsync(2, ct, "list-tasks", "--limit", "many");
        await AgentAsync(2, ct, "claim", "--worker", me, "--task", new string('x', 300));
        await AgentAsync(2, ct, "frobnicate");

        await AgentAsync(0, ct, "disconnect", "--worker", me);
        await AgentAsync(4, ct, "thinking", "--worker", me, "gone");
    }

    [Fact]
    public async Task Agent_processes_racing_for_one_task_have_exactly_one_winner()
    {
        var ct = Timeout(240);
        var task = Unique("cli-race");
        await fixture.Admin.CallAsync("create", new { id = task, title = "Only one may have it" }, ct);
        var workers = Enumerable.Range(0, 4).Select(i => Unique($"racer{i}")).ToList();
        foreach (var worker in workers)
        {
            await fixture.Admin.CallAsync("connect", new { worker_id = worker }, ct);
        }

        var results = await Task.WhenAll(workers.Select(w => fixture.Node.RunCliAsync(ct, "agent", "claim", "--worker", w, "--task", task)));

        var winners = results.Where(r => r.ExitCode == 0).ToList();
        Assert.True(winners.Count == 1, "exactly one winner; exits: " + string.Join(", ", results.Select(r => $"{r.ExitCode} {r.Stderr.Trim()}")));
        Assert.All(results.Where(r => r.ExitCode != 0), r => Assert.Equal(5, r.ExitCode));
        var owner = Json(winners[0]).GetProperty("task").GetProperty("worker_id").GetString();
        Assert.Equal(owner, (await fixture.Admin.CallAsync("get", new { task }, ct)).GetProperty("worker_id").GetString());
    }

    [Fact]
    public async Task With_url_the_agent_calls_the_node_over_http_and_its_token_role_decides()
    {
        var ct = Timeout(240);
        var task = Unique("cli-remote");
        await fixture.Admin.CallAsync("create", new { id = task, title = "Claimed over HTTP" }, ct);
        var worker = Unique("cli-remote-worker");
        var workerToken = await fixture.Node.CreateTokenAsync(Unique("cli-worker"), "worker", ct);
        var viewerToken = await fixture.Node.CreateTokenAsync(Unique("cli-viewer"), "viewer", ct);
        var url = fixture.Node.Endpoint.ToString();

        var refused = await RemoteAsync(ct, url, viewerToken, "connect", "--worker", worker);
        Assert.True(refused.ExitCode == 6, $"a viewer may not connect: exit {refused.ExitCode}, {refused.Stderr}");
        var unknown = await RemoteAsync(ct, url, "tgk_never-issued", "connect", "--worker", worker);
        Assert.True(unknown.ExitCode == 6, $"an unknown token is refused: exit {unknown.ExitCode}, {unknown.Stderr}");

        Assert.Equal(0, (await RemoteAsync(ct, url, workerToken, "connect", "--worker", worker)).ExitCode);
        var claimed = await RemoteAsync(ct, url, workerToken, "claim", "--worker", worker, "--task", task);
        Assert.True(claimed.ExitCode == 0, claimed.Stderr);
        Assert.Equal(worker, (await fixture.Admin.CallAsync("get", new { task }, ct)).GetProperty("worker_id").GetString());

        // The node cannot read the caller's files: --file goes over as the file's text, named after it.
        var clientDir = TestPaths.TempDir("cli-remote-files");
        var report = Path.Combine(clientDir, "report.md");
        await File.WriteAllTextAsync(report, "# 12 passed\n", ct);
        var attached = await RemoteAsync(ct, url, workerToken, "attach", "--worker", worker, "--task", task, "--type", "note", "--file", report);
        Assert.True(attached.ExitCode == 0, attached.Stderr);
        var note = (await fixture.Admin.CallAsync("attachments", new { task, content = true }, ct)).GetProperty("attachments")[0];
        Assert.Equal(("# 12 passed\n", "report.md"), (note.GetProperty("content").GetString(), note.GetProperty("name").GetString()));
        var binary = Path.Combine(clientDir, "image.bin");
        await File.WriteAllBytesAsync(binary, [0xFF, 0xFE, 0x00, 0xC3], ct);
        var refusedBinary = await RemoteAsync(ct, url, workerToken, "attach", "--worker", worker, "--task", task, "--type", "note", "--file", binary);
        Assert.True(refusedBinary.ExitCode == 2, $"exit {refusedBinary.ExitCode}: {refusedBinary.Stderr}");
        Assert.Single(refusedBinary.Stderr.Trim().Split('\n'));
        var missing = await RemoteAsync(ct, url, workerToken, "attach", "--worker", worker, "--task", task, "--type", "note", "--file", Path.Combine(clientDir, "missing.md"));
        Assert.True(missing.ExitCode == 1 && missing.Stderr.Contains("FILE_NOT_FOUND", StringComparison.Ordinal), $"exit {missing.ExitCode}: {missing.Stderr}");

        var badUrl = await RemoteAsync(ct, "ftp://example", workerToken, "get", "--task", task);
        Assert.Equal(2, badUrl.ExitCode);
        Assert.Single(badUrl.Stderr.Trim().Split('\n'));
    }

    private async Task<CliResult> AgentAsync(int expectedExit, CancellationToken cancellationToken, params string[] args)
    {
        var result = await fixture.Node.RunCliAsync(cancellationToken, ["agent", .. args]);
        Assert.True(
            result.ExitCode == expectedExit,
            $"taskgraph agent {string.Join(' ', args)}: expected exit {expectedExit}, got {result.ExitCode}; stdout: {result.Stdout} stderr: {result.Stderr}");
        if (expectedExit != 0)
        {
            Assert.Single(result.Stderr.Trim().Split('\n'));
            Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        }

        return result;
    }

    /// <summary>Runs the agent CLI against the node's URL only (no store options: it must not open the store itself).</summary>
    private Task<CliResult> RemoteAsync(CancellationToken cancellationToken, string url, string token, params string[] args) =>
        HttpNode.RunCliAsync(fixture.Node.WorkDir, ["agent", .. args, "--url", url, "--token", token], cancellationToken);

    private static JsonElement Json(CliResult result) => JsonDocument.Parse(result.Stdout).RootElement.Clone();
}
