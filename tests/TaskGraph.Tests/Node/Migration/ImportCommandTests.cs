using System.IO.Compression;
using System.Text;
using System.Text.Json;
using TaskGraph.Core.Configuration;
using TaskGraph.Core.Migration;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Storage.Sqlite;
using TaskGraph.Tests.Node.Http;
using TaskGraph.Tests.Node.InProcess;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.Migration;

/// <summary>
/// <c>taskgraph import</c> and <c>diff</c> on SQLite, run as the built executable: replace with --force and --dry-run,
/// merge, --remap-ids with no dangling reference, --parent, gzip by magic bytes, a task-graph-mcp schema-3 export, and
/// every bad input refused with one line and a non-zero exit, the target unchanged.
/// </summary>
public sealed class ImportCommandTests
{
    [Fact]
    public async Task Bad_inputs_exit_non_zero_with_one_line_and_leave_the_target_unchanged()
    {
        var ct = Timeout(300);
        var work = await SampleGraph.BuildAsync(ct, trees: 2, perTree: 10);
        var dir = TestPaths.TempDir("portable-bad");
        var good = Path.Combine(dir, "good.jsonl");
        await CliAsync(work, ct, 0, "export", "--history", "--out", good);
        var lines = await File.ReadAllLinesAsync(good, ct);
        async Task<string> WriteAsync(string name, string text)
        {
            var path = Path.Combine(dir, name);
            await File.WriteAllTextAsync(path, text, ct);
            return path;
        }

        var gz = Path.Combine(dir, "cut.jsonl.gz");
        await using (var file = File.Create(gz))
        await using (var zip = new GZipStream(file, CompressionLevel.Fastest))
        {
            await zip.WriteAsync(Encoding.UTF8.GetBytes(string.Join('\n', lines)), ct);
        }

        var bytes = await File.ReadAllBytesAsync(gz, ct);
        await File.WriteAllBytesAsync(gz, bytes[..(bytes.Length / 2)], ct);
        var cases = new (string Name, string[] Args, int Exit, string Says)[]
        {
            ("truncated", ["import", await WriteAsync("truncated.jsonl", string.Join('\n', lines[..(lines.Length / 2)])), "--force"], 2, "truncated"),
            ("cut gzip", ["import", gz, "--force"], 2, "not a readable snapshot"),
            ("wrong version", ["import", await WriteAsync("v9.jsonl", lines[0].Replace("\"version\":1", "\"version\":9", StringComparison.Ordinal) + "\n" + string.Join('\n', lines[1..])), "--force"], 2, "version 9 is not supported"),
            ("not a snapshot", ["import", await WriteAsync("notes.txt", "hello\nworld\n"), "--force"], 2, "not a TaskGraph snapshot"),
            ("bad line", ["import", await WriteAsync("edited.jsonl", string.Join('\n', lines.Take(3).Append("{\"put\": oops").Concat(lines.Skip(3)))), "--force"], 2, "line 4"),
            ("old task-graph-mcp", ["import", await WriteAsync("old.json", """{"schema_version":2,"tables":{}}"""), "--force"], 2, "Schema version mismatch"),
            ("no file", ["import", Path.Combine(dir, "missing.jsonl")], 2, "no such file"),
            ("not empty", ["import", good], 2, "not empty"),
            ("missing parent", ["import", good, "--merge", "--remap-ids", "--parent", "no-such-task"], 2, "no-such-task"),
            ("unreachable nats", ["import", good, "--nats", "nats://127.0.0.1:1", "--nats-connect-timeout", "2"], 3, "cannot reach the store"),
            ("bad location", ["diff", good, "mysql:somewhere"], 2, "no such file"),
            ("same store", ["migrate", "--from", "sqlite:task-graph/tasks.db", "--to", "sqlite:task-graph/tasks.db"], 2, "same store"),
        };

        var before = await PositionAsync(work, ct);
        foreach (var (name, args, exit, says) in cases)
        {
            var result = await HttpNode.RunCliAsync(work, args, ct);
            Assert.True(result.ExitCode == exit, $"{name}: exit {result.ExitCode}, expected {exit}; stderr: {result.Stderr}");
            var error = result.Stderr.Trim();
            Assert.True(error.Split('\n').Length == 1, $"{name}: one line, got: {error}");
            Assert.Contains(says, error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
            Assert.Equal(before, await PositionAsync(work, ct));
        }
    }

    [Fact]
    public async Task Replace_with_force_and_dry_run_gzip_by_magic_bytes_and_merge_skips_what_exists()
    {
        var ct = Timeout(300);
        var source = await SampleGraph.BuildAsync(ct, trees: 2, perTree: 10);
        var target = await SampleGraph.BuildAsync(ct, trees: 1, perTree: 5);
        var dir = TestPaths.TempDir("portable-replace");
        var snapshot = Path.Combine(dir, "graph.data");
        await CliAsync(source, ct, 0, "export", "--gzip", "--out", snapshot);
        var head = new byte[2];
        await using (var file = File.OpenRead(snapshot))
        {
            await file.ReadExactlyAsync(head, ct);
        }

        Assert.Equal(new byte[] { 0x1f, 0x8b }, head);

        var before = await PositionAsync(target, ct);
        var dry = Json(await CliAsync(target, ct, 0, "import", snapshot, "--force", "--dry-run"));
        Assert.True(dry.GetProperty("dry_run").GetBoolean());
        Assert.True(dry.GetProperty("would_delete").GetInt64() > 5, dry.GetRawText());
        Assert.True(dry.GetProperty("would_insert").GetInt64() > 20, dry.GetRawText());
        Assert.Equal(before, await PositionAsync(target, ct));

        var replaced = Json(await CliAsync(target, ct, 0, "import", snapshot, "--force"));
        Assert.Equal(dry.GetProperty("would_insert").GetInt64(), replaced.GetProperty("inserted").GetInt64());
        Assert.Equal("equal", (await CliAsync(target, ct, 0, "diff", snapshot, "sqlite:task-graph/tasks.db")).Stdout.Trim());
        // Live against live compares workers and history too: this snapshot carried neither (no --workers, no --history),
        // so the source's worker and each task's earlier revisions are all that differ.
        Assert.Equal("1 removed, 20 history", (await CliAsync(target, ct, 1, "diff", "sqlite:" + Db(source), "sqlite:task-graph/tasks.db", "--format", "summary")).Stdout.Trim());

        // A file named with --db keeps its blobs beside it, where sqlite:PATH looks for them.
        var elsewhere = Path.Combine(TestPaths.TempDir("portable-elsewhere"), "graph.db");
        await CliAsync(target, ct, 0, "import", snapshot, "--db", elsewhere);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(Path.GetDirectoryName(elsewhere)!, "media")));
        Assert.Equal("equal", (await CliAsync(target, ct, 0, "diff", snapshot, "sqlite:" + elsewhere)).Stdout.Trim());

        // Merge into the same graph: every task is there already.
        var merged = Json(await CliAsync(target, ct, 0, "import", snapshot, "--merge"));
        Assert.Equal(0, merged.GetProperty("inserted").GetInt64());
        Assert.True(merged.GetProperty("skipped").GetInt64() >= 20, merged.GetRawText());
    }

    [Fact]
    public async Task Remap_ids_adds_a_copy_with_no_dangling_reference_and_parent_attaches_its_roots()
    {
        var ct = Timeout(300);
        var work = await SampleGraph.BuildAsync(ct, trees: 2, perTree: 10);
        var snapshot = Path.Combine(TestPaths.TempDir("portable-remap"), "graph.jsonl");
        await CliAsync(work, ct, 0, "export", "--out", snapshot);
        var (tasksBefore, edgesBefore) = await CountsAsync(work, ct);

        var copy = Json(await CliAsync(work, ct, 0, "import", snapshot, "--merge", "--remap-ids"));
        var map = copy.GetProperty("id_map").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        Assert.Equal(tasksBefore, map.Count);
        Assert.All(map, kv => Assert.NotEqual(kv.Key, kv.Value));
        var under = Json(await CliAsync(work, ct, 0, "import", snapshot, "--merge", "--remap-ids", "--parent", SampleGraph.Id(0, 0)));
        var roots = new[] { SampleGraph.Id(0, 0), SampleGraph.Id(1, 0) }.Select(r => under.GetProperty("id_map").GetProperty(r).GetString()!).ToList();

        await using var store = await SqliteRecordStore.OpenAsync(new SqliteStoreOptions { Path = Db(work) }, TimeProvider.System, ct);
        var tasks = (await store.ListAsync(RecordKeys.TaskPrefix, ct)).Select(e => RecordJson.Deserialize<TaskRecord>(e.Value)).ToDictionary(t => t.Id);
        var (edges, _) = await GraphImporter.ReadEdgesAsync(store, ct);
        Assert.Equal(3 * tasksBefore, tasks.Count);
        Assert.Equal((3 * edgesBefore) + roots.Count, edges.Count);
        Assert.All(edges, e => Assert.True(tasks.ContainsKey(e.From) && tasks.ContainsKey(e.To), $"dangling edge {e}"));
        Assert.All(roots, r => Assert.Contains(new DependencyEdge(SampleGraph.Id(0, 0), r, "contains"), edges));
        var contents = (await store.ListAsync(RecordKeys.AttachmentPrefix, ct)).ToDictionary(e => e.Key, e => RecordJson.Deserialize<AttachmentContent>(e.Value));
        foreach (var task in tasks.Values)
        {
            foreach (var attachment in task.Attachments ?? [])
            {
                if (attachment.ContentKey is { } key)
                {
                    Assert.True(contents.TryGetValue(key, out var content) && content.TaskId == task.Id, $"{task.Id}: attachment content {key} is missing or names another task");
                }
            }
        }

        Assert.All(contents.Values, c => Assert.True(tasks.ContainsKey(c.TaskId), $"content of a missing task {c.TaskId}"));
        foreach (var mark in await store.ListAsync(RecordKeys.MarkPrefix, ct))
        {
            var taskId = RecordJson.Deserialize<MarkRecord>(mark.Value).TaskId;
            Assert.True(taskId is null || tasks.ContainsKey(taskId), $"mark of a missing task {taskId}");
        }

        // The copy's blob is its own: the remapped task reads it back.
        var blobbed = tasks[map[SampleGraph.Id(1, 1)]].Attachments!.Single(a => a.BlobName is not null);
        Assert.True(File.Exists(Path.Combine(work, "task-graph", "media", blobbed.BlobName!)));
    }

    [Fact]
    public async Task A_task_graph_mcp_export_imports_plain_and_gzipped_and_a_node_serves_it()
    {
        var ct = Timeout(300);
        var dir = TestPaths.TempDir("portable-anchor");
        var json = """
        {"schema_version":3,"export_version":"1.0.0","exported_at":"2026-03-01T10:00:00Z","exported_by":"task-graph-mcp 0.5.0",
         "tables":{
          "tasks":[
            {"id":"design","title":"Design the API","status":"completed","priority":7,"worker_id":"ada","created_at":"2026-03-01T08:00:00Z","updated_at":"2026-03-01T09:00:00Z","completed_at":"2026-03-01T09:00:00Z","tags":["api"]},
            {"id":"build","title":"Build it","status":"pending","priority":"5","tags":"[\"backend\"]","metric_0":3,"created_at":1772352000000,"updated_at":1772352000000}
          ],
          "dependencies":[{"from_task_id":"design","to_task_id":"build","dep_type":"blocks"}],
          "attachments":[{"task_id":"design","attachment_type":"note","sequence":0,"name":"n","mime_type":"text/plain","content":"decided on REST","created_at":"2026-03-01T08:30:00Z"}],
          "task_tags":[],"task_needed_tags":[],"task_wanted_tags":[],
          "task_sequence":[
            {"id":1,"task_id":"design","worker_id":"ada","status":"pending","timestamp":"2026-03-01T08:00:00Z"},
            {"id":2,"task_id":"design","worker_id":"ada","status":"working","timestamp":"2026-03-01T08:10:00Z"},
            {"id":3,"task_id":"design","worker_id":"ada","status":"completed","reason":"shipped","timestamp":"2026-03-01T09:00:00Z"}
          ]}}
        """;
        var plain = Path.Combine(dir, "export.json");
        await File.WriteAllTextAsync(plain, json, ct);
        var zipped = Path.Combine(dir, "export.json.gz");
        await using (var file = File.Create(zipped))
        await using (var zip = new GZipStream(file, CompressionLevel.Fastest))
        {
            await zip.WriteAsync(Encoding.UTF8.GetBytes(json), ct);
        }

        foreach (var snapshot in new[] { plain, zipped })
        {
            var work = TestPaths.TempDir("portable-anchor-target");
            var report = Json(await CliAsync(work, ct, 0, "import", snapshot));
            Assert.True(report.GetProperty("inserted").GetInt64() >= 3, report.GetRawText());

            var db = Path.Combine(work, "task-graph", "tasks.db");
            await using (var store = await SqliteRecordStore.OpenAsync(new SqliteStoreOptions { Path = db }, TimeProvider.System, ct))
            {
                Assert.Equal([new DependencyEdge("design", "build", "blocks")], (await GraphImporter.ReadEdgesAsync(store, ct)).Edges);
            }

            await using var node = await InProcessNode.StartAsync(await SqliteRecordStore.OpenAsync(new SqliteStoreOptions { Path = db }, TimeProvider.System, ct), new TaskGraphConfig(), ct);
            var build = await node.CallAsync("get", new { task = "build" }, ct);
            Assert.Equal("pending", build.GetProperty("status").GetString());
            var history = await node.CallAsync("task_history", new { task = "design" }, ct);
            Assert.Equal(["pending", "working", "completed"], history.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("status").GetString()));
            Assert.Equal(DateTimeOffset.Parse("2026-03-01T08:10:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds(), history.GetProperty("history")[1].GetProperty("timestamp").GetInt64());
            var notes = await node.CallAsync("attachments", new { task = "design", content = true }, ct);
            Assert.Equal("decided on REST", notes.GetProperty("attachments")[0].GetProperty("content").GetString());
        }
    }

    private static string Db(string work) => Path.Combine(work, "task-graph", "tasks.db");

    private static async Task<ulong> PositionAsync(string work, CancellationToken ct)
    {
        await using var store = await SqliteRecordStore.OpenAsync(new SqliteStoreOptions { Path = Db(work) }, TimeProvider.System, ct);
        return await store.GetPositionAsync(ct);
    }

    private static async Task<(int Tasks, int Edges)> CountsAsync(string work, CancellationToken ct)
    {
        await using var store = await SqliteRecordStore.OpenAsync(new SqliteStoreOptions { Path = Db(work) }, TimeProvider.System, ct);
        return ((await store.ListAsync(RecordKeys.TaskPrefix, ct)).Count, (await GraphImporter.ReadEdgesAsync(store, ct)).Edges.Count);
    }

    private static async Task<CliResult> CliAsync(string work, CancellationToken ct, int expectedExit, params string[] args)
    {
        var result = await HttpNode.RunCliAsync(work, args, ct);
        Assert.True(result.ExitCode == expectedExit, $"taskgraph {string.Join(' ', args)}: exit {result.ExitCode}, expected {expectedExit}\nstdout: {result.Stdout}\nstderr: {result.Stderr}");
        return result;
    }

    private static JsonElement Json(CliResult result) => JsonDocument.Parse(result.Stdout).RootElement.Clone();
}
