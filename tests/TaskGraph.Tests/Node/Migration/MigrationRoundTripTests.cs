using System.Diagnostics;
using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.JetStream;
using TaskGraph.Core.Storage.Sqlite;
using TaskGraph.Tests.Nats;
using TaskGraph.Tests.Node.Http;
using TaskGraph.Tests.Node.InProcess;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.Migration;

/// <summary>
/// A 1,000-task standalone graph (every dependency type, inline and blob attachments, metrics, marks, several
/// transitions per task) moved with the built executable: export, import into an R3 NATS cluster, export again, and
/// an empty diff between the files and between the live stores; migrate SQLite -> NATS -> SQLite with an empty diff;
/// a migration killed halfway that resumes and verifies; and a node on the imported graph answering from it.
/// </summary>
[Collection(NatsClusterCollection.Name)]
public sealed class MigrationRoundTripTests(NatsClusterFixture cluster, SampleGraphFixture sample) : IClassFixture<SampleGraphFixture>
{
    [Fact]
    public async Task Export_import_into_an_R3_cluster_and_export_again_gives_an_empty_diff_and_a_node_serves_it()
    {
        var ct = Timeout(300);
        var graph = Graph("rt");
        var urls = cluster.Cluster.Urls;
        await CliAsync(ct, 0, "export", "--history", "--workers", "--out", "a.jsonl");
        var imported = await CliAsync(ct, 0, "import", "a.jsonl", "--nats", urls, "--graph", graph);
        Assert.Equal("replace", Json(imported).GetProperty("mode").GetString());
        await CliAsync(ct, 0, "export", "--history", "--workers", "--nats", urls, "--graph", graph, "--out", "b.jsonl.gz");

        var files = await CliAsync(ct, 0, "diff", "a.jsonl", "b.jsonl.gz");
        Assert.Equal("equal", files.Stdout.Trim());
        var live = await CliAsync(ct, 0, "diff", "sqlite:" + sample.Db, $"nats:{urls}#{graph}", "--format", "json");
        Assert.True(Json(live).GetProperty("equal").GetBoolean());

        // The bucket is replicated on the cluster, and a node serves the graph as it was.
        await using (var nats = new NatsConnection(new NatsOpts { Url = cluster.Cluster.Nodes[1].Url }))
        {
            var stream = await new NatsJSContext(nats).GetStreamAsync($"KV_tg_{graph}", cancellationToken: ct);
            Assert.Equal(3, stream.Info.Config.NumReplicas);
        }

        await using var node = await InProcessNode.StartNatsAsync(cluster.Cluster.Nodes[2].Url, graph, ct);
        var all = await node.CallAsync("query", new { sql = "SELECT count(*) AS n FROM tasks", format = "json" }, ct);
        Assert.Contains($"{SampleGraph.Trees * SampleGraph.PerTree}", all.GetRawText(), StringComparison.Ordinal);
        var task = await node.CallAsync("get", new { task = SampleGraph.Id(3, 1) }, ct);
        Assert.Equal("completed", task.GetProperty("status").GetString());
        var history = await node.CallAsync("task_history", new { task = SampleGraph.Id(3, 1) }, ct);
        var statuses = history.GetProperty("history").EnumerateArray().Select(t => t.GetProperty("status").GetString()).ToList();
        Assert.Equal(["pending", "working", "completed"], statuses);

        // The history keeps its own times and actors: the source's node answers the same transitions.
        await using (var original = await InProcessNode.StartAsync(await SqliteRecordStore.OpenAsync(new SqliteStoreOptions { Path = sample.Db }, TimeProvider.System, ct), null, ct))
        {
            var before = await original.CallAsync("task_history", new { task = SampleGraph.Id(3, 1) }, ct);
            Assert.Equal(before.GetProperty("history").GetRawText(), history.GetProperty("history").GetRawText());
        }

        var report = (await node.CallAsync("attachments", new { task = SampleGraph.Id(3, 1), content = true }, ct)).GetProperty("attachments")
            .EnumerateArray().Single(a => a.GetProperty("type").GetString() == "report");
        Assert.Equal("# report of tree 3", report.GetProperty("content").GetString());
    }

    [Fact]
    public async Task Migrate_SQLite_to_NATS_and_back_verifies_itself_and_leaves_no_difference()
    {
        var ct = Timeout(300);
        var graph = Graph("mig");
        var urls = cluster.Cluster.Urls;
        var back = Path.Combine(TestPaths.TempDir("portable-back"), "task-graph", "tasks.db");
        var there = await CliAsync(ct, 0, "migrate", "--from", "sqlite:" + sample.Db, "--to", $"nats:{urls}#{graph}");
        Assert.Contains("verified", there.Stderr, StringComparison.Ordinal);
        var refused = await CliAsync(ct, 2, "migrate", "--from", "sqlite:" + sample.Db, "--to", $"nats:{urls}#{graph}");
        Assert.Contains("not empty", refused.Stderr, StringComparison.Ordinal);
        await CliAsync(ct, 0, "migrate", "--from", $"nats:{urls}#{graph}", "--to", "sqlite:" + back);
        Assert.Equal("equal", (await CliAsync(ct, 0, "diff", "sqlite:" + sample.Db, "sqlite:" + back)).Stdout.Trim());
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(back)!, "media", Blob(await ExportLinesAsync(ct)))), "blobs land in media/ beside the target file");
    }

    [Fact]
    public async Task A_migration_killed_halfway_resumes_and_ends_with_an_empty_diff()
    {
        var ct = Timeout(300);
        var graph = Graph("resume");
        var urls = cluster.Cluster.Urls;
        var psi = HttpNode.NewStartInfo(sample.Work, ["migrate", "--from", "sqlite:" + sample.Db, "--to", $"nats:{urls}#{graph}"]);
        using (var process = Process.Start(psi)!)
        {
            // Progress lines come on stderr while it copies: the first one is the moment to kill it.
            process.StandardInput.Close();
            var first = await process.StandardError.ReadLineAsync(ct);
            Assert.True(first is not null && first.Contains("changes copied", StringComparison.Ordinal), $"no progress line before the end: {first}");
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(ct);
            Assert.True(process.ExitCode != 0, $"killed, not finished: {first}");
        }

        var partial = await CliAsync(ct, 1, "diff", "sqlite:" + sample.Db, $"nats:{urls}#{graph}", "--format", "summary");
        Assert.NotEqual("equal", partial.Stdout.Trim());
        var resumed = await CliAsync(ct, 0, "migrate", "--from", "sqlite:" + sample.Db, "--to", $"nats:{urls}#{graph}");
        Assert.Contains("resumed", resumed.Stderr, StringComparison.Ordinal);
        Assert.Equal("equal", (await CliAsync(ct, 0, "diff", "sqlite:" + sample.Db, $"nats:{urls}#{graph}")).Stdout.Trim());
    }

    private static string Graph(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..16];

    private async Task<string[]> ExportLinesAsync(CancellationToken ct)
    {
        var file = Path.Combine(TestPaths.TempDir("portable-lines"), "s.jsonl");
        await CliAsync(ct, 0, "export", "--out", file);
        return await File.ReadAllLinesAsync(file, ct);
    }

    private static string Blob(string[] lines) =>
        lines.Select(l => JsonDocument.Parse(l).RootElement).First(e => e.TryGetProperty("blob", out _)).GetProperty("blob").GetString()!;

    private async Task<CliResult> CliAsync(CancellationToken ct, int expectedExit, params string[] args)
    {
        var result = await HttpNode.RunCliAsync(sample.Work, args, ct);
        Assert.True(result.ExitCode == expectedExit, $"taskgraph {string.Join(' ', args)}: exit {result.ExitCode}, expected {expectedExit}\nstdout: {result.Stdout}\nstderr: {result.Stderr}");
        return result;
    }

    private static JsonElement Json(CliResult result) => JsonDocument.Parse(result.Stdout).RootElement.Clone();
}
