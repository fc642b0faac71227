using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using TaskGraph.Core.Records;
using TaskGraph.Core.Runtime;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Storage.Sqlite;

namespace TaskGraph.Bench;

/// <summary>
/// Issue 13's <c>status_summary</c> at scale: a SQLite store filled through the store port with N tasks (default
/// 100,000; <c>--iterations</c> sets it) spread over the default workflow's states, with points and owners, the node's
/// runtime started over it (read model rebuilt), then the summary of the whole graph timed as the tool computes it
/// (<c>TaskQueries.Summary</c>). Baseline, in the same run: the same counts by one <c>GROUP BY</c> over a plain SQLite
/// table of the same rows (no read model, no rules).
/// </summary>
internal sealed class StatusSummaryScenario : IScenario
{
    private const int DefaultTasks = 100_000;
    private const int Samples = 30;
    private static readonly string[] Statuses = ["pending", "pending", "working", "completed", "completed", "completed", "failed", "cancelled"];

    /// <inheritdoc />
    public string Name => "status-summary";

    /// <inheritdoc />
    public string Store => "sqlite";

    /// <inheritdoc />
    public string Description => $"status_summary over {DefaultTasks:N0} tasks by default vs one GROUP BY over a plain table of the same rows";

    /// <inheritdoc />
    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchOptions options, TextWriter notes, CancellationToken cancellationToken)
    {
        var tasks = options.IterationsOr(DefaultTasks);
        var dir = Directory.CreateTempSubdirectory("taskgraph-bench-summary-").FullName;
        try
        {
            var store = await SqliteRecordStore.OpenAsync(new SqliteStoreOptions { Path = Path.Combine(dir, "tasks.db") }, null, cancellationToken).ConfigureAwait(false);
            var fill = Stopwatch.StartNew();
            await FillAsync(store, tasks, cancellationToken).ConfigureAwait(false);
            var start = Stopwatch.StartNew();
            await using var runtime = await GraphRuntime.StartAsync(store, CoreGraph.Config(), TimeProvider.System, dir, null, cancellationToken).ConfigureAwait(false);
            notes.WriteLine(FormattableString.Invariant($"status-summary: filled {tasks:N0} tasks in {fill.Elapsed.TotalSeconds - start.Elapsed.TotalSeconds:0.0} s; runtime started (read model rebuilt) in {start.Elapsed.TotalSeconds:0.0} s"));

            var ours = new LatencySamples();
            var first = runtime.TaskQueries.Summary(null);
            if (first.Total != tasks)
            {
                throw new InvalidOperationException($"the summary counts {first.Total} tasks, not {tasks}");
            }

            var wall = Stopwatch.GetTimestamp();
            for (var i = 0; i < Samples; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                _ = runtime.TaskQueries.Summary(null);
                ours.Add(t0, Stopwatch.GetTimestamp());
            }

            ours.AddWall(wall, Stopwatch.GetTimestamp(), Samples);
            var baseline = Baseline(Path.Combine(dir, "plain.db"), tasks);
            notes.WriteLine(FormattableString.Invariant($"status-summary: total {first.Total:N0}, ready {first.Ready:N0}, claimed {first.Claimed:N0}; median {ours.MedianUs / 1000:0.0} ms, p99 {ours.PercentileUs(0.99) / 1000:0.0} ms"));
            return [BenchResult.From(Name, Store, 1, ours, baseline, "GROUP BY over a plain table")];
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task FillAsync(IRecordStore port, int tasks, CancellationToken cancellationToken)
    {
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        await Parallel.ForEachAsync(Enumerable.Range(0, 4), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (writer, ct) =>
        {
            for (var i = writer; i < tasks; i += 4)
            {
                var status = Statuses[i % Statuses.Length];
                var task = new TaskRecord
                {
                    Id = $"task-{i:D6}",
                    Title = $"Task {i}",
                    Status = status,
                    Priority = i % 11,
                    Points = i % 5,
                    Owner = status == "working" ? $"agent-{i % 1000}" : null,
                    CreatedAt = at + i,
                    UpdatedAt = at + i,
                    StatusSince = at + i,
                    Change = new TaskChange { Kind = ChangeKinds.Create, Actor = "loader" },
                };
                await port.CreateAsync(RecordKeys.Task(task.Id), RecordJson.Serialize(task, at + i, null), ct).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
    }

    private static LatencySamples Baseline(string path, int tasks)
    {
        using var connection = new SqliteConnection($"Data Source={path}");
        connection.Open();
        using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE tasks (id TEXT PRIMARY KEY, status TEXT NOT NULL, points INTEGER, owner TEXT)";
            create.ExecuteNonQuery();
        }

        using (var tx = connection.BeginTransaction())
        using (var insert = connection.CreateCommand())
        {
            insert.CommandText = "INSERT INTO tasks VALUES ($id, $status, $points, $owner)";
            var id = insert.Parameters.Add("$id", SqliteType.Text);
            var status = insert.Parameters.Add("$status", SqliteType.Text);
            var points = insert.Parameters.Add("$points", SqliteType.Integer);
            var owner = insert.Parameters.Add("$owner", SqliteType.Text);
            for (var i = 0; i < tasks; i++)
            {
                id.Value = $"task-{i:D6}";
                status.Value = Statuses[i % Statuses.Length];
                points.Value = i % 5;
                owner.Value = status.Value is "working" ? $"agent-{i % 1000}" : DBNull.Value;
                insert.ExecuteNonQuery();
            }

            tx.Commit();
        }

        var samples = new LatencySamples();
        using var query = connection.CreateCommand();
        query.CommandText = "SELECT status, COUNT(*), SUM(points), COUNT(owner) FROM tasks GROUP BY status";
        var wall = Stopwatch.GetTimestamp();
        for (var i = 0; i <= Samples; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            using (var reader = query.ExecuteReader())
            {
                while (reader.Read())
                {
                    _ = reader.GetInt64(1).ToString(CultureInfo.InvariantCulture);
                }
            }

            if (i > 0)
            {
                samples.Add(t0, Stopwatch.GetTimestamp());
            }
        }

        samples.AddWall(wall, Stopwatch.GetTimestamp(), Samples);
        return samples;
    }
}
