using TaskGraph.Core.Configuration;
using TaskGraph.Core.Storage.Sqlite;
using TaskGraph.Tests.Node.InProcess;

namespace TaskGraph.Tests.Node.Migration;

/// <summary>
/// A standalone graph laid out as a project has it (<c>W/task-graph/tasks.db</c>, blobs in <c>W/task-graph/media</c>),
/// built through the real tools: <see cref="Trees"/> trees of <see cref="PerTree"/> tasks (contains and follows edges),
/// blocks, duplicate, see-also and relates-to links, two or three transitions per task, metrics and cost, inline and
/// blob attachments, file marks and thoughts.
/// </summary>
internal static class SampleGraph
{
    public const int Trees = 10;
    public const int PerTree = 100;

    public static string Id(int tree, int i) => i == 0 ? $"pt-root-{tree}" : $"pt-{tree}-{i}";

    /// <summary>Builds the graph in a fresh project directory; returns the directory (the CLI's working directory).</summary>
    public static async Task<string> BuildAsync(CancellationToken cancellationToken, int trees = Trees, int perTree = PerTree)
    {
        var work = TestPaths.TempDir("portable");
        var db = Path.Combine(work, "task-graph", "tasks.db");
        Directory.CreateDirectory(Path.GetDirectoryName(db)!);
        var store = await SqliteRecordStore.OpenAsync(new SqliteStoreOptions { Path = db }, TimeProvider.System, cancellationToken);
        var config = new TaskGraphConfig { Server = new ServerSettings { MediaDir = Path.Combine(work, "task-graph", "media"), ClaimLimit = 1000 } };
        await using var node = await InProcessNode.StartAsync(store, config, cancellationToken);
        await node.CallAsync("connect", new { worker_id = "pt-worker", tags = new[] { "backend" } }, cancellationToken);
        for (var t = 0; t < trees; t++)
        {
            var children = Enumerable.Range(1, perTree - 1).Select(i => new { id = Id(t, i), title = $"step {i} of tree {t}", priority = i % 10, tags = new[] { i % 2 == 0 ? "backend" : "docs" } }).ToArray();
            await node.CallAsync("create_tree", new { tree = new { id = Id(t, 0), title = $"tree {t}", description = $"the {t}th tree", children }, sibling_type = "follows" }, cancellationToken);
        }

        for (var t = 1; t < trees; t++)
        {
            await node.CallAsync("link", new { from = Id(t - 1, perTree - 1), to = Id(t, 1), type = "blocks" }, cancellationToken);
            await node.CallAsync("link", new { from = Id(t, 2), to = new[] { Id(t - 1, 3), Id(t - 1, 4) }, type = "relates-to" }, cancellationToken);
            await node.CallAsync("link", new { from = Id(t, 5), to = Id(t - 1, 5), type = "duplicate" }, cancellationToken);
            await node.CallAsync("link", new { from = Id(t, 6), to = Id(0, 6), type = "see-also" }, cancellationToken);
        }

        for (var t = 0; t < trees; t++)
        {
            var ids = Enumerable.Range(0, perTree).Select(i => Id(t, i)).ToArray();
            await node.CallAsync("bulk_update", new { worker_id = "pt-worker", tasks = ids, status = "working", assignee = "pt-worker", force = true, reason = "started" }, cancellationToken);
            var done = ids.Where((_, i) => i % 3 != 0).ToArray();
            await node.CallAsync("bulk_update", new { worker_id = "pt-worker", tasks = done, status = "completed", force = true, reason = "done" }, cancellationToken);
            await node.CallAsync("bulk_update", new { worker_id = "pt-worker", tasks = ids.Where((_, i) => i % 3 == 0).ToArray(), phase = "review", force = true }, cancellationToken);
            for (var i = 0; i < perTree; i += 10)
            {
                await node.CallAsync("log_metrics", new { agent = "pt-worker", task = ids[i], cost_usd = 0.25 + i, values = new[] { i, 2 * i, 3 } }, cancellationToken);
                await node.CallAsync("attach", new { task = ids[i], type = "note", content = $"notes on {ids[i]}: ünïcödé ✓" }, cancellationToken);
            }

            await node.CallAsync("attach", new { task = ids[1], type = "report", mime = "text/markdown", content = $"# report of tree {t}", store_as_file = true }, cancellationToken);
            await node.CallAsync("thinking", new { worker_id = "pt-worker", thought = $"on tree {t}", tasks = new[] { ids[3] } }, cancellationToken);
            await node.CallAsync("mark_file", new { worker_id = "pt-worker", file = $"src/tree{t}/main.cs", task = ids[3], reason = "editing" }, cancellationToken);
        }

        var large = string.Concat(Enumerable.Range(0, 30_000).Select(i => $"log line {i:D6}\n"));
        await node.CallAsync("attach", new { task = Id(0, 0), type = "log", content = large }, cancellationToken);
        return work;
    }
}
