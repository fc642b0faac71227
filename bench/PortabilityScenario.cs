using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;
using TaskGraph.Core.Attachments;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Runtime;
using TaskGraph.Core.Storage.Sqlite;
using TaskGraph.Core.Tasks;
using TaskGraph.Core.Workers;

namespace TaskGraph.Bench;

/// <summary>
/// Issue 14's portability commands at scale: a SQLite graph of N tasks (default 100,000; <c>--iterations</c> sets it)
/// written through the rules (<see cref="GraphRuntime"/>: <c>create_tree</c> trees of a root and 9 children with
/// <c>contains</c> and sibling <c>follows</c> edges, every task claimed and completed, a note on one task in 10, metrics
/// on one in 5), then the built <c>taskgraph</c> run as real processes: <c>export --history</c>, <c>import</c> into a
/// fresh graph on a private nats-server, <c>migrate</c> SQLite to NATS and back. Each is timed (process start to exit)
/// and its peak RSS read from /proc/&lt;pid&gt;/status (VmHWM, polled). Baselines, in the same run: a raw scan of the
/// SQLite change log written as lines to a file; raw NATS KV puts, one at a time over one connection, of the export's
/// own lines; raw reads of that bucket plus raw single-row SQLite transactions for the way back.
/// </summary>
internal sealed class PortabilityScenario : IScenario
{
    private const int DefaultTasks = 100_000;
    private const int TreeSize = 10;
    private const int Callers = 4;
    private const int WorkedOfFive = 2;
    private const double AimSeconds = 60;
    private const double AimMiB = 300;

    /// <inheritdoc />
    public string Name => "portability";

    /// <inheritdoc />
    public string Store => "sqlite+nats";

    /// <inheritdoc />
    public string Description => $"export / import / migrate of {DefaultTasks:N0} tasks with history as real processes, vs raw scans and KV puts";

    /// <inheritdoc />
    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchOptions options, TextWriter notes, CancellationToken cancellationToken)
    {
        if (!NatsEnvironment.Available())
        {
            notes.WriteLine("portability: skipped, no nats-server binary installed (apt-get install -y nats-server)");
            return [];
        }

        var tasks = Math.Max(TreeSize, options.IterationsOr(DefaultTasks) / TreeSize * TreeSize);
        var dir = Directory.CreateTempSubdirectory("taskgraph-bench-port-").FullName;
        NatsServer? nats = null;
        try
        {
            var dbPath = options.KeepDb ?? Path.Combine(dir, "tasks.db");
            if (options.KeepDb is not null && File.Exists(dbPath))
            {
                notes.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"portability: reusing the graph kept at {dbPath} ({new FileInfo(dbPath).Length / 1048576.0:0} MiB file; --iterations does not apply to it)"));
            }
            else
            {
                var dataDir = options.KeepDb is null ? dir : Path.GetDirectoryName(dbPath)!;
                Directory.CreateDirectory(dataDir);
                var fill = Stopwatch.StartNew();
                var filled = await FillAsync(dbPath, dataDir, tasks, cancellationToken).ConfigureAwait(false);
                SqliteConnection.ClearAllPools();
                notes.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"portability: filled {tasks:N0} tasks ({tasks / TreeSize:N0} trees, {filled.Edges:N0} edges, {filled.Transitions:N0} claims and completions by workers, {filled.Rollups:N0} containers completed by auto-rollup, {filled.Notes:N0} notes, {filled.Metrics:N0} metric logs) through the rules in {fill.Elapsed.TotalSeconds:0.0} s; "
                    + $"{filled.Changes:N0} changes, {new FileInfo(dbPath).Length / 1048576.0:0} MiB file{(options.KeepDb is null ? string.Empty : ", kept")}"));
            }

            nats = await NatsServer.StartAsync(cancellationToken).ConfigureAwait(false);
            var rows = new List<BenchResult>();
            var file = Path.Combine(dir, "graph.jsonl");

            var export = await RunCliAsync(dir, ["--db", dbPath, "export", "--history", "--out", file], cancellationToken).ConfigureAwait(false);
            var lines = File.ReadLines(file).Skip(1).ToList();
            var exportBytes = new FileInfo(file).Length;
            var scan = RawScan(dbPath, Path.Combine(dir, "raw.lines"));
            Report(notes, "export --history", export, $"{lines.Count:N0} lines, {exportBytes / 1048576.0:0} MiB", scan.Elapsed, $"raw scan of {scan.Rows:N0} change rows to a file");
            rows.Add(Row("export", "sqlite", export, scan.Elapsed, "raw SELECT of every change row, written as lines"));

            var import = await RunCliAsync(dir, ["--nats", nats.Url, "--graph", "port-import", "import", file], cancellationToken).ConfigureAwait(false);
            var puts = await RawPutsAsync(nats.Url, lines, cancellationToken).ConfigureAwait(false);
            Report(notes, "import", import, import.Stdout.Trim(), puts.Elapsed, $"{lines.Count:N0} raw KV puts of the export's lines (avg {exportBytes / Math.Max(1, lines.Count):N0} B), one at a time");
            rows.Add(Row("import", "nats", import, puts.Elapsed, "raw KV Put of each export line, sequential"));

            var migrate = await RunCliAsync(dir, ["migrate", "--from", "sqlite:" + dbPath, "--to", $"nats:{nats.Url}#port-migrate"], cancellationToken).ConfigureAwait(false);
            var there = scan.Elapsed + puts.Elapsed;
            Report(notes, "migrate sqlite->nats", migrate, migrate.LastStderr, there, "raw scan + raw KV puts (the two rows above)");
            rows.Add(Row("migrate-to-nats", "sqlite>nats", migrate, there, "raw scan + raw KV puts"));

            var backPath = Path.Combine(dir, "back.db");
            var back = await RunCliAsync(dir, ["migrate", "--from", $"nats:{nats.Url}#port-migrate", "--to", "sqlite:" + backPath], cancellationToken).ConfigureAwait(false);
            var read = await RawReadAsync(nats.Url, puts.Bucket, lines.Count, cancellationToken).ConfigureAwait(false);
            var inserts = RawInserts(Path.Combine(dir, "raw-back.db"), lines);
            Report(notes, "migrate nats->sqlite", back, back.LastStderr, read + inserts, $"raw KV watch of the bucket ({read.TotalSeconds:0.00} s) + {lines.Count:N0} raw single-row SQLite transactions ({inserts.TotalSeconds:0.00} s)");
            rows.Add(Row("migrate-to-sqlite", "nats>sqlite", back, read + inserts, "raw KV watch + raw single-row txns"));
            return rows;
        }
        finally
        {
            await BenchTeardown.CleanUpAsync(nats, dir).ConfigureAwait(false);
        }
    }

    private static void Report(TextWriter notes, string label, CliRun run, string detail, TimeSpan baseline, string baselineName)
    {
        notes.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"portability {label}: exit {run.ExitCode}, {run.Elapsed.TotalSeconds:0.0} s, peak RSS {run.PeakMiB:0} MiB ({detail}); baseline {baselineName}: {baseline.TotalSeconds:0.00} s; "
            + $"ratio {run.Elapsed / baseline:0.0}x; aim under {AimSeconds:0} s: {(run.Elapsed.TotalSeconds < AimSeconds ? "met" : "NOT met")}, RSS under {AimMiB:0} MiB: {(run.PeakMiB < AimMiB ? "met" : "NOT met")}"));
        if (run.ExitCode != 0)
        {
            notes.WriteLine($"portability {label}: stderr tail: {string.Join(" | ", run.StderrTail)}");
        }
    }

    private static BenchResult Row(string variant, string store, CliRun run, TimeSpan baseline, string baselineName) => new()
    {
        Scenario = $"portability/{variant}",
        Store = store,
        Concurrency = 1,
        OpsPerSecond = Math.Round(1 / run.Elapsed.TotalSeconds, 3),
        MedianUs = Math.Round(run.Elapsed.TotalMicroseconds, 0),
        P99Us = Math.Round(run.Elapsed.TotalMicroseconds, 0),
        Baseline = string.Create(CultureInfo.InvariantCulture, $"{baselineName}; peak RSS {run.PeakMiB:0} MiB"),
        BaselineMedianUs = Math.Round(baseline.TotalMicroseconds, 0),
        BaselineP99Us = Math.Round(baseline.TotalMicroseconds, 0),
        Samples = 1,
    };

    /// <summary>The graph, written through the rules by <see cref="Callers"/> workers, each its own share of trees.</summary>
    private static async Task<Filled> FillAsync(string dbPath, string dir, int tasks, CancellationToken cancellationToken)
    {
        var store = await SqliteRecordStore.OpenAsync(new SqliteStoreOptions { Path = dbPath }, null, cancellationToken).ConfigureAwait(false);
        await using var runtime = await GraphRuntime.StartAsync(store, CoreGraph.Config(), TimeProvider.System, dir, null, cancellationToken).ConfigureAwait(false);
        var trees = tasks / TreeSize;
        long transitions = 0, noteCount = 0, metrics = 0, done = 0, rollups = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, Callers), new ParallelOptions { MaxDegreeOfParallelism = Callers, CancellationToken = cancellationToken }, async (caller, ct) =>
        {
            var worker = $"port-agent-{caller}";
            await runtime.Workers.ConnectAsync(new ConnectRequest { WorkerId = worker, Tags = ["backend", "frontend"] }, ct).ConfigureAwait(false);
            for (var t = caller; t < trees; t += Callers)
            {
                var root = $"port-{t:D5}";
                var children = Enumerable.Range(1, TreeSize - 1).Select(k => new TreeNode { Task = Request($"{root}-{k}", t * TreeSize + k) }).ToList();
                await RetryAsync(() => runtime.Tasks.CreateTreeAsync(new TreeNode { Task = Request(root, t * TreeSize), Children = children }, null, "contains", "follows", worker, ct), ct).ConfigureAwait(false);
                // Two trees in five are worked (every task claimed and completed); the rest stay pending, because working
                // every tree through the rules would take the fill well over 3 minutes on 2 cores.
                var worked = t % 5 < WorkedOfFive ? children.Select(c => c.Task.Id!).Append(root) : [];
                foreach (var (id, n) in worked.Select((id, i) => (id, t * TreeSize + i)))
                {
                    if (id == root && (await runtime.Tasks.GetAsync(root, ct).ConfigureAwait(false)).Status == "completed")
                    {
                        Interlocked.Increment(ref rollups);
                        continue; // auto-rollup completed the container with its last child
                    }

                    await RetryAsync(() => runtime.Tasks.ClaimAsync(worker, id, false, ct), ct).ConfigureAwait(false);
                    if (n % 10 == 3)
                    {
                        await RetryAsync(() => runtime.Attachments.AttachAsync([id], new AttachmentInput { Type = "note", Content = $"Progress on {id}: read the parser, changed the schema migration, ran the tests; 3 files touched. Next: deployment notes." }, worker, ct), ct).ConfigureAwait(false);
                        Interlocked.Increment(ref noteCount);
                    }

                    if (n % 5 == 1)
                    {
                        await RetryAsync(() => runtime.Accounting.LogAsync(id, worker, 0.0123, [12_000 + n % 997, 3_400, 1], ct), ct).ConfigureAwait(false);
                        Interlocked.Increment(ref metrics);
                    }

                    await RetryAsync(() => runtime.Tasks.UpdateAsync(new UpdateTaskRequest { WorkerId = worker, TaskId = id, Status = "completed", Reason = "done, tests pass" }, ct), ct).ConfigureAwait(false);
                    Interlocked.Add(ref transitions, 2);
                }

                var d = Interlocked.Increment(ref done);
                if (d % Math.Max(1, trees / 10) == 0)
                {
                    await Console.Error.WriteLineAsync($"  filled {d * TreeSize:N0} of {tasks:N0} tasks").ConfigureAwait(false);
                }
            }
        }).ConfigureAwait(false);
        var changes = await store.GetPositionAsync(cancellationToken).ConfigureAwait(false);
        return new Filled(trees * (TreeSize - 1 + TreeSize - 2), transitions, noteCount, metrics, rollups, (long)changes);
    }

    private static CreateTaskRequest Request(string id, int n) => new()
    {
        Id = id,
        Title = $"Task {n}: update the parser for the new schema field",
        Description = "Read the schema change, update the parser and its tests.\nKeep the old field readable for one release.",
        Priority = n % 11,
        Points = n % 5,
        Tags = [n % 2 == 0 ? "backend" : "frontend"],
    };

    private static async Task RetryAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await call().ConfigureAwait(false);
                return;
            }
            catch (TaskGraphException ex) when (ex.Code is ErrorCodes.Conflict or ErrorCodes.StoreUnavailable && attempt < 10)
            {
                await Task.Delay(5 * (attempt + 1), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Runs the built node with <paramref name="args"/>; wall time from start to exit, VmHWM polled every 20 ms.</summary>
    private static async Task<CliRun> RunCliAsync(string dir, string[] args, CancellationToken cancellationToken)
    {
        var psi = NodeCli.StartInfo(dir, args, stdin: false);
        var stdout = new StringBuilder();
        var stderr = new Queue<string>();
        var started = Stopwatch.StartNew();
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start taskgraph");
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stdout)
                {
                    stdout.AppendLine(e.Data);
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    stderr.Enqueue(e.Data);
                    if (stderr.Count > 6)
                    {
                        stderr.Dequeue();
                    }
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        double peak = 0;
        try
        {
            while (!process.HasExited)
            {
                try
                {
                    peak = Math.Max(peak, NodeRssScenario.Memory(process.Id).PeakMiB);
                }
                catch (IOException)
                {
                    // Exited between the check and the read.
                }

                await Task.Delay(20, cancellationToken).ConfigureAwait(false);
            }

            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        var elapsed = started.Elapsed;
        string[] tail;
        lock (stderr)
        {
            tail = [.. stderr];
        }

        lock (stdout)
        {
            return new CliRun(process.ExitCode, elapsed, peak, stdout.ToString(), tail);
        }
    }

    /// <summary>The export's baseline: every row of the change log read in order and written as one line each.</summary>
    private static (long Rows, TimeSpan Elapsed) RawScan(string dbPath, string output)
    {
        var started = Stopwatch.StartNew();
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = dbPath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT position, key, revision, value, timestamp FROM changes ORDER BY position";
        using var writer = new StreamWriter(output, false, new UTF8Encoding(false), 1 << 16);
        long rows = 0;
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                writer.Write(reader.GetInt64(0));
                writer.Write('\t');
                writer.Write(reader.GetString(1));
                writer.Write('\t');
                writer.Write(reader.GetInt64(2));
                writer.Write('\t');
                writer.Write(reader.GetInt64(4));
                writer.Write('\t');
                writer.WriteLine(reader.IsDBNull(3) ? string.Empty : Encoding.UTF8.GetString((byte[])reader.GetValue(3)));
                rows++;
            }
        }

        writer.Flush();
        return (rows, started.Elapsed);
    }

    /// <summary>The import's baseline: each line put under its own key of a fresh R1 bucket, one at a time, over one connection.</summary>
    private static async Task<(TimeSpan Elapsed, string Bucket)> RawPutsAsync(string url, IReadOnlyList<string> lines, CancellationToken cancellationToken)
    {
        const string bucket = "rawport";
        await using var connection = new NatsConnection(new NatsOpts { Url = url, RequestTimeout = TimeSpan.FromSeconds(10) });
        await connection.ConnectAsync().ConfigureAwait(false);
        var kv = await new NatsKVContext(new NatsJSContext(connection)).CreateStoreAsync(new NatsKVConfig(bucket), cancellationToken).ConfigureAwait(false);
        var values = lines.Select(Encoding.UTF8.GetBytes).ToList();
        var started = Stopwatch.StartNew();
        for (var i = 0; i < values.Count; i++)
        {
            await kv.PutAsync($"r{i}", values[i], cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        return (started.Elapsed, bucket);
    }

    /// <summary>Half of the way back's baseline: every entry of the raw bucket read through one KV watch.</summary>
    private static async Task<TimeSpan> RawReadAsync(string url, string bucket, int count, CancellationToken cancellationToken)
    {
        await using var connection = new NatsConnection(new NatsOpts { Url = url, RequestTimeout = TimeSpan.FromSeconds(10) });
        await connection.ConnectAsync().ConfigureAwait(false);
        var kv = await new NatsKVContext(new NatsJSContext(connection)).GetStoreAsync(bucket, cancellationToken).ConfigureAwait(false);
        var started = Stopwatch.StartNew();
        long seen = 0, bytes = 0;
        await foreach (var entry in kv.WatchAsync<byte[]>(">", opts: new NatsKVWatchOpts { IncludeHistory = true }, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            bytes += entry.Value?.Length ?? 0;
            if (++seen >= count)
            {
                break;
            }
        }

        GC.KeepAlive(bytes);
        return started.Elapsed;
    }

    /// <summary>The other half: each line inserted by its own transaction (as the store writes a change), WAL, synchronous NORMAL.</summary>
    private static TimeSpan RawInserts(string path, IReadOnlyList<string> lines)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using (var setup = connection.CreateCommand())
        {
            setup.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; CREATE TABLE t (k TEXT PRIMARY KEY, v BLOB NOT NULL)";
            setup.ExecuteNonQuery();
        }

        using var begin = connection.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE";
        using var commit = connection.CreateCommand();
        commit.CommandText = "COMMIT";
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO t VALUES ($k, $v)";
        var k = insert.Parameters.Add("$k", SqliteType.Text);
        var v = insert.Parameters.Add("$v", SqliteType.Blob);
        begin.Prepare();
        commit.Prepare();
        insert.Prepare();
        var started = Stopwatch.StartNew();
        for (var i = 0; i < lines.Count; i++)
        {
            begin.ExecuteNonQuery();
            k.Value = $"r{i}";
            v.Value = Encoding.UTF8.GetBytes(lines[i]);
            insert.ExecuteNonQuery();
            commit.ExecuteNonQuery();
        }

        return started.Elapsed;
    }

    private sealed record Filled(long Edges, long Transitions, long Notes, long Metrics, long Rollups, long Changes);

    private sealed record CliRun(int ExitCode, TimeSpan Elapsed, double PeakMiB, string Stdout, string[] StderrTail)
    {
        public string LastStderr => StderrTail.Length == 0 ? string.Empty : StderrTail[^1];
    }
}
