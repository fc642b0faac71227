using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using TaskGraph.Core.Configuration;
using TaskGraph.Core.ReadModels;
using TaskGraph.Core.Records;
using TaskGraph.Core.Runtime;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Tasks;
using TaskGraph.Core.Workers;
using TaskGraph.Tests.Node;
using TaskGraph.Tests.Rules;

namespace TaskGraph.Tests.ReadModels;

/// <summary>
/// Read-model snapshots (ADR 0010), on a real store: a model started from a snapshot answers exactly like one rebuilt
/// from the whole log, after changes made since; only those changes are replayed; a corrupt, foreign, ahead-of-the-store
/// or incomplete snapshot is discarded with a reason, and the model is rebuilt correctly.
/// </summary>
public abstract class ReadModelSnapshotTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(RulesHarness.Epoch);
    private readonly ConfigHolder _config = new(new TaskGraphConfig());

    /// <summary>This test's own directory (snapshot files; SQLite stores).</summary>
    protected string Directory { get; } = TestPaths.TempDir("snapshot");

    private string SnapshotPath => Path.Combine(Directory, "graph.readmodel");

    /// <summary>A store instance on the data named <paramref name="name"/> (the same name: the same data).</summary>
    private protected abstract Task<IRecordStore> OpenStoreAsync(string name, CancellationToken ct);

    [Fact]
    public async Task A_model_started_from_a_snapshot_answers_exactly_like_one_rebuilt_from_scratch_after_later_changes()
    {
        using var cts = RulesHarness.Timeout();
        var ct = cts.Token;
        ulong written;
        await using (var first = await StartAsync("a", Options("a"), ct))
        {
            await WorkAsync(first, 0, ct);
            await WorkAsync(first, 1, ct);
            written = first.Reads.AppliedPosition;
        }

        // Changes after the snapshot, by a node that keeps none.
        await using (var other = await StartAsync("a", null, ct))
        {
            Assert.Equal(written, other.Reads.AppliedPosition);
            await WorkAsync(other, 2, ct);
        }

        await using var fromSnapshot = await StartAsync("a", Options("a"), ct);
        Assert.Equal(written, fromSnapshot.Reads.LoadedSnapshotPosition);
        Assert.Null(fromSnapshot.Reads.RebuildReason);
        Assert.True(fromSnapshot.Reads.ReplayedOnStart > 0);
        await using (var scratch = await StartAsync("a", null, ct))
        {
            Assert.Null(scratch.Reads.LoadedSnapshotPosition);
            Assert.Equal(Answers(scratch), Answers(fromSnapshot));
        }

        // And it keeps following exactly: live changes (read-your-writes waits included) land the same way.
        await WorkAsync(fromSnapshot, 3, ct);
        await using var scratchAfter = await StartAsync("a", null, ct);
        await fromSnapshot.Reads.WaitForPositionAsync(scratchAfter.Reads.AppliedPosition, ct);
        Assert.Equal(Answers(scratchAfter), Answers(fromSnapshot));
    }

    [Fact]
    public async Task Only_the_changes_after_the_snapshot_are_replayed()
    {
        using var cts = RulesHarness.Timeout();
        var ct = cts.Token;
        ulong written;
        await using (var first = await StartAsync("a", Options("a"), ct))
        {
            await WorkAsync(first, 0, ct);
            written = first.Reads.AppliedPosition;
        }

        await using (var unchanged = await StartAsync("a", Options("a"), ct))
        {
            Assert.Equal(written, unchanged.Reads.LoadedSnapshotPosition);
            Assert.Equal(0, unchanged.Reads.ReplayedOnStart);
        }

        await using (var other = await StartAsync("a", null, ct))
        {
            for (var i = 0; i < 3; i++)
            {
                await other.Tasks.CreateAsync(new CreateTaskRequest { Id = $"late-{i}", Title = $"late {i}" }, ct);
            }
        }

        var counting = new WatchCountingStore(await OpenStoreAsync("a", ct));
        var after = await CountChangesAfterAsync(counting, written, ct);
        Assert.True(after >= 3);
        var deliveredBefore = counting.Delivered;
        var watchesBefore = counting.WatchesFrom.Count;
        await using var started = await GraphRuntime.StartAsync(counting, _config, _time, Directory, null, Options("a"), ct);
        Assert.Equal(written, started.Reads.LoadedSnapshotPosition);
        Assert.Equal(after, started.Reads.ReplayedOnStart);

        // What the store delivered to this start: its first change (the identity check), then only what follows the snapshot.
        Assert.Equal(1 + after, counting.Delivered - deliveredBefore);
        Assert.Equal([0UL, written], counting.WatchesFrom.Skip(watchesBefore));
        Assert.NotNull(started.Reads.GetTask("late-2"));
    }

    [Fact]
    public async Task A_corrupt_snapshot_is_discarded_and_the_model_rebuilt_and_a_good_one_written_at_shutdown()
    {
        using var cts = RulesHarness.Timeout();
        var ct = cts.Token;
        await WriteSnapshotOfAsync("a", ct);
        var junk = new byte[64 * 1024];
        new Random(11).NextBytes(junk);
        await File.WriteAllBytesAsync(SnapshotPath, junk, ct);

        string expected;
        await using (var scratch = await StartAsync("a", null, ct))
        {
            expected = Answers(scratch);
        }

        ulong position;
        await using (var rebuilt = await StartAsync("a", Options("a"), ct))
        {
            Assert.Null(rebuilt.Reads.LoadedSnapshotPosition);
            Assert.Contains("unreadable snapshot", rebuilt.Reads.RebuildReason);
            Assert.Equal(expected, Answers(rebuilt));
            position = rebuilt.Reads.AppliedPosition;
        }

        await using var next = await StartAsync("a", Options("a"), ct);
        Assert.Equal(position, next.Reads.LoadedSnapshotPosition);
        Assert.Equal(expected, Answers(next));
    }

    [Fact]
    public async Task A_snapshot_with_missing_tables_is_discarded_and_the_model_rebuilt()
    {
        using var cts = RulesHarness.Timeout();
        var ct = cts.Token;
        await WriteSnapshotOfAsync("a", ct);
        ExecuteOnSnapshot("DROP TABLE dependencies");

        await using var rebuilt = await StartAsync("a", Options("a"), ct);
        Assert.Null(rebuilt.Reads.LoadedSnapshotPosition);
        Assert.Contains("tables differ", rebuilt.Reads.RebuildReason);
        await using var scratch = await StartAsync("a", null, ct);
        Assert.Equal(Answers(scratch), Answers(rebuilt));
    }

    [Fact]
    public async Task A_snapshot_of_another_store_is_discarded_and_the_model_rebuilt()
    {
        using var cts = RulesHarness.Timeout();
        var ct = cts.Token;
        await WriteSnapshotOfAsync("a", ct);
        await using (var b = await StartAsync("b", null, ct))
        {
            for (var round = 0; round < 3; round++)
            {
                await WorkAsync(b, round, ct);
            }
        }

        string expected;
        await using (var scratch = await StartAsync("b", null, ct))
        {
            expected = Answers(scratch);
        }

        // Named as another store: foreign.
        await using (var named = await StartAsync("b", Options("b"), ct))
        {
            Assert.Null(named.Reads.LoadedSnapshotPosition);
            Assert.Contains("foreign snapshot", named.Reads.RebuildReason);
            Assert.Equal(expected, Answers(named));
        }

        // The same name given to another store (a copied file, a recreated bucket): its log starts elsewhere.
        await WriteSnapshotOfAsync("a", ct);
        await using var misnamed = await StartAsync("b", Options("a"), ct);
        Assert.Null(misnamed.Reads.LoadedSnapshotPosition);
        Assert.Contains("does not start where the snapshot's did", misnamed.Reads.RebuildReason);
        Assert.Equal(expected, Answers(misnamed));
    }

    [Fact]
    public async Task A_snapshot_ahead_of_the_store_is_discarded_and_the_model_rebuilt()
    {
        using var cts = RulesHarness.Timeout();
        var ct = cts.Token;
        await WriteSnapshotOfAsync("a", ct);
        ExecuteOnSnapshot("UPDATE snapshot_meta SET value = '1000000' WHERE name = 'position'");

        await using var rebuilt = await StartAsync("a", Options("a"), ct);
        Assert.Null(rebuilt.Reads.LoadedSnapshotPosition);
        Assert.Contains("ahead of the store", rebuilt.Reads.RebuildReason);
        await using var scratch = await StartAsync("a", null, ct);
        Assert.Equal(Answers(scratch), Answers(rebuilt));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A store still closing; the temp directory is left for the OS.
        }

        GC.SuppressFinalize(this);
    }

    private ReadModelSnapshotOptions Options(string identity) => new() { Path = SnapshotPath, StoreIdentity = "test store " + identity };

    private async Task<GraphRuntime> StartAsync(string name, ReadModelSnapshotOptions? snapshot, CancellationToken ct) =>
        await GraphRuntime.StartAsync(await OpenStoreAsync(name, ct), _config, _time, Directory, null, snapshot, ct);

    /// <summary>Some work on store <paramref name="name"/>, then a snapshot of it written at shutdown.</summary>
    private async Task WriteSnapshotOfAsync(string name, CancellationToken ct)
    {
        await using var graph = await StartAsync(name, Options(name), ct);
        await WorkAsync(graph, graph.Reads.GetTask("r0-t0") is null ? 0 : 1, ct);
        Assert.True(await graph.Reads.WriteSnapshotAsync(ct));
        Assert.True(File.Exists(SnapshotPath));
    }

    private void ExecuteOnSnapshot(string sql)
    {
        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = SnapshotPath, Pooling = false }.ToString());
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    /// <summary>One round of ordinary work: tasks, a link, a claim, marks, a completion, and edits of an earlier round.</summary>
    private async Task WorkAsync(GraphRuntime graph, int round, CancellationToken ct)
    {
        var worker = $"w{round}";
        string Task(int i) => $"r{round}-t{i}";
        await graph.Workers.ConnectAsync(new ConnectRequest { WorkerId = worker, Tags = ["backend"] }, ct);
        for (var i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await graph.Tasks.CreateAsync(
                new CreateTaskRequest { Id = Task(i), Title = $"round {round} task {i}", Description = "the parser and the schema", Tags = [i % 2 == 0 ? "backend" : "frontend"] },
                ct);
        }

        await graph.Dependencies.LinkAsync([Task(0)], [Task(1)], "blocks", worker, ct);
        await graph.Dependencies.LinkAsync([Task(3)], [Task(4)], "contains", worker, ct);
        _time.Advance(TimeSpan.FromSeconds(5));
        await graph.Tasks.ClaimAsync(worker, Task(0), false, ct);
        await graph.Marks.MarkAsync(worker, [$"src/r{round}.cs"], Task(0), "editing", ct);
        _time.Advance(TimeSpan.FromSeconds(30));
        await graph.Tasks.UpdateAsync(new UpdateTaskRequest { WorkerId = worker, TaskId = Task(0), Status = "completed" }, ct);
        await graph.Marks.UnmarkAsync(worker, [$"src/r{round}.cs"], null, "done", ct);
        await graph.Marks.MarkAsync(worker, [$"lock:r{round}"], null, null, ct);
        if (round > 0)
        {
            // Changes to what an earlier round (maybe in the snapshot) made.
            var before = $"r{round - 1}";
            await graph.Tasks.RenameAsync(worker, $"{before}-t2", $"{before}-t2-renamed", ct);
            await graph.Tasks.DeleteAsync(worker, $"{before}-t4", cascade: false, "not needed", obliterate: true, force: true, ct);
            await graph.Tasks.ClaimAsync(worker, $"{before}-t1", false, ct);
        }
    }

    /// <summary>Every answer the read model gives, as text: its tables, list_tasks, history, marks, dependencies, workers.</summary>
    private static string Answers(GraphRuntime graph)
    {
        var reads = graph.Reads;
        var rules = graph.QueryRules();
        var sb = new StringBuilder(reads.DumpTables());
        var tasks = reads.ListTasks(new TaskListQuery { Limit = 10_000 }, rules);
        sb.AppendLine(Json(tasks));
        sb.AppendLine(Json(reads.ListTasks(new TaskListQuery { Ready = true, Limit = 10_000 }, rules)));
        foreach (var task in tasks.Tasks)
        {
            sb.AppendLine(Json(reads.GetTaskHistory(task.Id, null, _ => true, RulesHarness.Epoch.AddDays(1).ToUnixTimeMilliseconds())));
            sb.AppendLine(Json(new { from = reads.EdgesFrom(task.Id), to = reads.EdgesTo(task.Id), children = reads.Children(task.Id), blocked = reads.BlockedBy(task.Id, rules, true) }));
        }

        sb.AppendLine(Json(reads.GetProjectHistory(null, null, null, 10_000, RulesHarness.Epoch.AddDays(1).ToUnixTimeMilliseconds())));
        sb.AppendLine(Json(reads.ListMarks(null, null, null)));
        sb.AppendLine(Json(reads.MarkEventsFrom(0)));
        sb.AppendLine(Json(reads.Workers()));
        sb.AppendLine(Json(reads.Search("parser", 100, 0, null)));
        return sb.ToString();
    }

    private static string Json(object value) => JsonSerializer.Serialize(value, RecordJson.Options);

    private static async Task<long> CountChangesAfterAsync(IRecordStore store, ulong position, CancellationToken ct)
    {
        var head = await store.GetPositionAsync(ct);
        long count = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        await foreach (var change in store.WatchAsync(position, stop.Token))
        {
            count++;
            if (change.Position >= head)
            {
                break;
            }
        }

        return count;
    }
}
