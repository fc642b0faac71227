using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using TaskGraph.Bus.Connection;
using TaskGraph.Bus.KeyValue;
using TaskGraph.Core.ReadModels;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Storage.Sqlite;

namespace TaskGraph.Bench;

/// <summary>
/// Issue 11's cold start: a store filled through the store port with N tasks (default 100,000; <c>--iterations</c> sets
/// it) and 10 status changes each (so ~N x 11 log changes, ~N x 10 history rows), then the built <c>taskgraph serve</c>
/// started as a real process over stdio, timed from process start to its first answered <c>list_tasks</c>: once from
/// scratch (no snapshot), once from the snapshot the first run left. RSS (VmRSS, VmHWM) is read while serving. The
/// baseline, measured in the same run, is the store's own read of the whole log (<c>WatchAsync(0)</c> to the head, no
/// projection); the ratio is our cold start over it. Then, in process, the time a snapshot write holds the read model's
/// gate with the whole graph loaded.
/// </summary>
internal sealed class ColdStartScenario(string name, string store) : IScenario
{
    private const int DefaultTasks = 100_000;
    private const int ChangesPerTask = 10;
    private const string Graph = "cold";
    private const double AimSeconds = 3;
    private const double AimMiB = 200;

    /// <inheritdoc />
    public string Name => name;

    /// <inheritdoc />
    public string Store => store;

    /// <inheritdoc />
    public string Description => $"node cold start to the first list_tasks ({DefaultTasks:N0} tasks x {ChangesPerTask} status changes by default), from scratch and from a snapshot, {store}";

    /// <inheritdoc />
    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchOptions options, TextWriter notes, CancellationToken cancellationToken)
    {
        if (store == "nats" && !NatsEnvironment.Available())
        {
            notes.WriteLine($"{name} ({store}): skipped, no nats-server binary installed (apt-get install -y nats-server)");
            return [];
        }

        var tasks = options.IterationsOr(DefaultTasks);
        var dir = Directory.CreateTempSubdirectory("taskgraph-bench-cold-").FullName;
        NatsServer? nats = null;
        try
        {
            nats = store == "nats" ? await NatsServer.StartAsync(cancellationToken).ConfigureAwait(false) : null;
            var dbPath = Path.Combine(dir, "tasks.db");
            var nodeArgs = nats is null ? new[] { "serve", "--db", dbPath } : ["serve", "--nats", nats.Url, "--graph", Graph, "--nats-connect-timeout", "30"];
            var snapshotPath = nats is null ? dbPath + ".readmodel" : Path.Combine(dir, "task-graph", "cache", Graph + ".readmodel");

            // Fill through the store port, then read the whole log back raw (the baseline).
            long changes;
            TimeSpan rawRead;
            await using (var port = await OpenAsync(dbPath, nats, cancellationToken).ConfigureAwait(false))
            {
                var filled = Stopwatch.StartNew();
                await FillAsync(port, tasks, nats is null ? 1 : 32, notes, cancellationToken).ConfigureAwait(false);
                var head = await port.GetPositionAsync(cancellationToken).ConfigureAwait(false);
                notes.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} ({store}): filled {tasks:N0} tasks, {head:N0} changes in {filled.Elapsed.TotalSeconds:0.0} s"));
                (changes, rawRead) = await ReadLogAsync(port, cancellationToken).ConfigureAwait(false);
                var (_, again) = await ReadLogAsync(port, cancellationToken).ConfigureAwait(false);
                rawRead = again < rawRead ? again : rawRead;
            }

            var scratch = await ColdStartAsync(dir, nodeArgs, cancellationToken).ConfigureAwait(false);
            var snapshotBytes = File.Exists(snapshotPath) ? new FileInfo(snapshotPath).Length : 0;
            var fromSnapshot = await ColdStartAsync(dir, nodeArgs, cancellationToken).ConfigureAwait(false);
            var gate = await GateTimeAsync(dbPath, nats, snapshotPath, dir, cancellationToken).ConfigureAwait(false);

            notes.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} ({store}): raw log read of {changes:N0} changes: {rawRead.TotalSeconds:0.00} s"));
            foreach (var (label, run) in new[] { ("from scratch", scratch), ("from snapshot", fromSnapshot) })
            {
                notes.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name} ({store}) {label}: first list_tasks after {run.Elapsed.TotalSeconds:0.00} s ({run.Elapsed / rawRead:0.00}x the raw log read); "
                    + $"RSS serving {run.RssMiB:0} MiB, peak {run.PeakMiB:0} MiB; clean shutdown {run.Shutdown.TotalSeconds:0.0} s; node said: {run.ReadModelLine}"));
            }

            notes.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name} ({store}): snapshot file {snapshotBytes / 1048576.0:0} MiB; a snapshot write with the whole graph loaded held the gate {gate.Gate.TotalMilliseconds:0} ms ({gate.Total.TotalMilliseconds:0} ms in all); "
                + $"aim: under {AimSeconds:0} s from a snapshot: {(fromSnapshot.Elapsed.TotalSeconds < AimSeconds ? "met" : "NOT met")}, RSS under {AimMiB:0} MiB while serving: {(Math.Max(scratch.RssMiB, fromSnapshot.RssMiB) < AimMiB ? "met" : "NOT met")}"));
            var baseline = string.Create(CultureInfo.InvariantCulture, $"store log read, {changes:N0} changes");
            return
            [
                Row("scratch", scratch, rawRead, baseline),
                Row("snapshot", fromSnapshot, rawRead, baseline),
            ];
        }
        finally
        {
            await BenchTeardown.CleanUpAsync(nats, dir).ConfigureAwait(false);
        }
    }

    private BenchResult Row(string variant, ColdStart run, TimeSpan rawRead, string baseline) => new()
    {
        Scenario = $"{name}/{variant}",
        Store = store,
        Concurrency = 1,
        OpsPerSecond = Math.Round(1 / run.Elapsed.TotalSeconds, 2),
        MedianUs = Math.Round(run.Elapsed.TotalMicroseconds, 0),
        P99Us = Math.Round(run.Elapsed.TotalMicroseconds, 0),
        Baseline = baseline,
        BaselineMedianUs = Math.Round(rawRead.TotalMicroseconds, 0),
        BaselineP99Us = Math.Round(rawRead.TotalMicroseconds, 0),
        Samples = 1,
    };

    private static async Task<IRecordStore> OpenAsync(string dbPath, NatsServer? nats, CancellationToken cancellationToken) =>
        nats is null
            ? await SqliteRecordStore.OpenAsync(new SqliteStoreOptions { Path = dbPath }, null, cancellationToken).ConfigureAwait(false)
            : await NatsRecordStore.OpenAsync(new NatsStoreOptions { Url = nats.Url, Graph = Graph, Name = "cold-start-fill" }, null, cancellationToken).ConfigureAwait(false);

    /// <summary>Creates the tasks, then walks each through <see cref="ChangesPerTask"/> status changes (claims, releases, a completion).</summary>
    private static async Task FillAsync(IRecordStore port, int tasks, int writers, TextWriter notes, CancellationToken cancellationToken)
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var done = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, writers), new ParallelOptions { MaxDegreeOfParallelism = writers, CancellationToken = cancellationToken }, async (writer, ct) =>
        {
            for (var i = writer; i < tasks; i += writers)
            {
                var at = start + (i * 1000L);
                var task = new TaskRecord
                {
                    Id = $"task-{i:D6}",
                    Title = $"Task {i}: a title of ordinary length for the cold-start run",
                    Description = "A description of a few lines.\nIt mentions the parser, the schema and the deployment.",
                    Status = "pending",
                    Priority = i % 11,
                    Tags = [i % 2 == 0 ? "backend" : "frontend"],
                    CreatedAt = at,
                    UpdatedAt = at,
                    StatusSince = at,
                    Change = new TaskChange { Kind = ChangeKinds.Create, Actor = "loader" },
                };
                var key = RecordKeys.Task(task.Id);
                var revision = await port.CreateAsync(key, RecordJson.Serialize(task, at, null), ct).ConfigureAwait(false);
                for (var c = 1; c <= ChangesPerTask; c++)
                {
                    at += 60_000;
                    var status = c == ChangesPerTask ? "completed" : c % 2 == 1 ? "working" : "pending";
                    var owner = status == "working" ? $"agent-{(i + c) % 50}" : null;
                    task = task with
                    {
                        Status = status,
                        Owner = owner,
                        ClaimedAt = owner is null ? null : at,
                        StatusSince = at,
                        UpdatedAt = at,
                        CompletedAt = status == "completed" ? at : null,
                        Change = new TaskChange { Kind = ChangeKinds.Status, Actor = owner ?? $"agent-{(i + c - 1) % 50}", FromStatus = task.Status, Reason = status == "pending" ? "handing it back" : null },
                    };
                    revision = await port.UpdateAsync(key, RecordJson.Serialize(task, at, null), revision, ct).ConfigureAwait(false);
                }

                var n = Interlocked.Increment(ref done);
                if (n % (tasks / 10 == 0 ? 1 : tasks / 10) == 0)
                {
                    await Console.Error.WriteLineAsync($"  filled {n:N0} of {tasks:N0} tasks").ConfigureAwait(false);
                }
            }
        }).ConfigureAwait(false);
        await notes.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The baseline: every change of the log read through the store's own watch, nothing projected.</summary>
    private static async Task<(long Changes, TimeSpan Elapsed)> ReadLogAsync(IRecordStore port, CancellationToken cancellationToken)
    {
        var head = await port.GetPositionAsync(cancellationToken).ConfigureAwait(false);
        var started = Stopwatch.StartNew();
        long count = 0;
        long bytes = 0;
        await foreach (var change in port.WatchAsync(0, cancellationToken).ConfigureAwait(false))
        {
            count++;
            bytes += change.Value.Length;
            if (change.Position >= head)
            {
                break;
            }
        }

        GC.KeepAlive(bytes);
        return (count, started.Elapsed);
    }

    /// <summary>Starts the node, times its first answered list_tasks, reads its memory while it serves, and stops it cleanly.</summary>
    private static async Task<ColdStart> ColdStartAsync(string dir, string[] args, CancellationToken cancellationToken)
    {
        var psi = NodeCli.StartInfo(dir, args, stdin: true);
        var readModelLine = "(no read model line)";
        var started = Stopwatch.StartNew();
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the node");
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line && (line.Contains("read model: loaded", StringComparison.Ordinal) || line.Contains("read model: rebuilt", StringComparison.Ordinal)))
            {
                readModelLine = line[line.IndexOf("read model:", StringComparison.Ordinal)..];
            }
        };
        process.BeginErrorReadLine();
        try
        {
            await using var client = await McpClient.CreateAsync(
                new StreamClientTransport(process.StandardInput.BaseStream, process.StandardOutput.BaseStream),
                new McpClientOptions { InitializationTimeout = TimeSpan.FromMinutes(15) },
                cancellationToken: cancellationToken).ConfigureAwait(false);
            var answer = await client.CallToolAsync("list_tasks", new Dictionary<string, object?> { ["limit"] = 20 }, cancellationToken: cancellationToken).ConfigureAwait(false);
            var elapsed = started.Elapsed;
            if (answer.IsError is true)
            {
                throw new InvalidOperationException("list_tasks failed at cold start");
            }

            // Serving: a few more reads, then memory.
            for (var i = 0; i < 20; i++)
            {
                await client.CallToolAsync("list_tasks", new Dictionary<string, object?> { ["limit"] = 50, ["ready"] = i % 2 == 0 }, cancellationToken: cancellationToken).ConfigureAwait(false);
                await client.CallToolAsync("search", new Dictionary<string, object?> { ["query"] = "parser", ["limit"] = 10 }, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            var (rss, peak) = NodeRssScenario.Memory(process.Id);
            process.StandardInput.Close();
            var stopping = Stopwatch.StartNew();
            using var exit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(exit.Token).ConfigureAwait(false);
            return new ColdStart(elapsed, rss, peak, stopping.Elapsed, readModelLine);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>
    /// In process: a read model loaded from a copy of the node's snapshot (the graph fully loaded), one change more, and
    /// a snapshot write: how long it held the gate queries wait on.
    /// </summary>
    private static async Task<(TimeSpan Gate, TimeSpan Total)> GateTimeAsync(string dbPath, NatsServer? nats, string snapshotPath, string dir, CancellationToken cancellationToken)
    {
        if (!File.Exists(snapshotPath))
        {
            return (TimeSpan.Zero, TimeSpan.Zero);
        }

        var copy = Path.Combine(dir, "gate.readmodel");
        File.Copy(snapshotPath, copy, overwrite: true);
        string identity;
        using (var meta = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = copy, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
        {
            meta.Open();
            using var cmd = meta.CreateCommand();
            cmd.CommandText = "SELECT value FROM snapshot_meta WHERE name = 'store'";
            identity = (string)cmd.ExecuteScalar()!;
        }

        await using var port = await OpenAsync(dbPath, nats, cancellationToken).ConfigureAwait(false);
        await using var model = await ReadModel.StartAsync(port, TimeProvider.System, null, new ReadModelSnapshotOptions { Path = copy, StoreIdentity = identity }, cancellationToken).ConfigureAwait(false);
        var key = RecordKeys.Task("task-000000");
        var entry = await port.GetAsync(key, cancellationToken).ConfigureAwait(false) ?? throw new InvalidOperationException("task-000000 missing");
        var task = RecordJson.Deserialize<TaskRecord>(entry.Value) with { Priority = 3 };
        var revision = await port.UpdateAsync(key, RecordJson.Serialize(task), entry.Revision, cancellationToken).ConfigureAwait(false);
        await model.WaitForAsync(key, revision, cancellationToken).ConfigureAwait(false);
        var started = Stopwatch.StartNew();
        if (!await model.WriteSnapshotAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException("no snapshot was written");
        }

        return (model.LastSnapshotGateTime, started.Elapsed);
    }

    private sealed record ColdStart(TimeSpan Elapsed, double RssMiB, double PeakMiB, TimeSpan Shutdown, string ReadModelLine);
}
