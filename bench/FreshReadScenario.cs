using System.Diagnostics;
using System.Globalization;
using TaskGraph.Core.ReadModels;
using TaskGraph.Core.Runtime;

namespace TaskGraph.Bench;

/// <summary>
/// The cost of fresh reads: a list_tasks-style listing (one page of 50 over 200 tasks) behind the read barrier
/// (<see cref="ReadModel.CatchUpAsync"/>: the store's position, then a wait until the read model has it) against the same
/// listing from the read model as it is (<c>server.reads: local</c>). Measured twice: with the model already current (the
/// usual case: the barrier is one position read), and right after a write the model has not applied yet.
/// </summary>
internal sealed class FreshReadScenario(string name, Func<IBenchEnvironment> environment, string store, int defaultIterations) : IScenario
{
    private const int Tasks = 200;
    private const int Rounds = 10;

    /// <inheritdoc />
    public string Name => name;

    /// <inheritdoc />
    public string Store => store;

    /// <inheritdoc />
    public string Description => "1 caller: list_tasks behind the fresh-read barrier vs the same listing from the local read model";

    /// <inheritdoc />
    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchOptions options, TextWriter notes, CancellationToken cancellationToken)
    {
        var iterations = options.IterationsOr(defaultIterations);
        var perRound = Math.Max(1, iterations / Rounds);
        await using var env = environment();
        await using var runtime = await GraphRuntime.StartAsync(
            await env.OpenStoreAsync(cancellationToken).ConfigureAwait(false), CoreGraph.Config(), TimeProvider.System, Path.GetTempPath(), null, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < Tasks; i++)
        {
            await runtime.Tasks.CreateAsync(new Core.Tasks.CreateTaskRequest { Id = CoreGraph.TaskId(i), Title = $"bench task {i}" }, cancellationToken).ConfigureAwait(false);
        }

        var query = new TaskListQuery { Limit = 50 };
        var rules = runtime.QueryRules();
        var local = new LatencySamples();
        var fresh = new LatencySamples();
        var barrier = new LatencySamples();
        var afterWrite = new LatencySamples();
        var probes = 0;

        async Task FreshAsync(LatencySamples? samples, LatencySamples? barrierOnly)
        {
            var t0 = Stopwatch.GetTimestamp();
            await runtime.Reads.CatchUpAsync(cancellationToken).ConfigureAwait(false);
            var t1 = Stopwatch.GetTimestamp();
            _ = runtime.Reads.ListTasks(query, rules);
            samples?.Add(t0, Stopwatch.GetTimestamp());
            barrierOnly?.Add(t0, t1);
        }

        void Local(LatencySamples? samples)
        {
            var t0 = Stopwatch.GetTimestamp();
            _ = runtime.Reads.ListTasks(query, rules);
            samples?.Add(t0, Stopwatch.GetTimestamp());
        }

        // A write that the read model has not applied yet when the barrier starts (not timed itself).
        async Task WriteProbeAsync() =>
            await runtime.Store.CreateAsync("probe.fresh-" + (++probes).ToString(CultureInfo.InvariantCulture), "{}"u8.ToArray(), cancellationToken).ConfigureAwait(false);

        for (var i = 0; i < Math.Min(300, iterations); i++)
        {
            await FreshAsync(null, null).ConfigureAwait(false);
            Local(null);
        }

        for (var round = 0; round < Rounds; round++)
        {
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < perRound; i++)
            {
                Local(local);
            }

            local.AddWall(start, Stopwatch.GetTimestamp(), perRound);
            start = Stopwatch.GetTimestamp();
            for (var i = 0; i < perRound; i++)
            {
                await FreshAsync(fresh, barrier).ConfigureAwait(false);
            }

            fresh.AddWall(start, Stopwatch.GetTimestamp(), perRound);
            var written = 0L;
            for (var i = 0; i < perRound / 4; i++)
            {
                await WriteProbeAsync().ConfigureAwait(false);
                var t0 = Stopwatch.GetTimestamp();
                await FreshAsync(afterWrite, null).ConfigureAwait(false);
                written += Stopwatch.GetTimestamp() - t0;
            }

            afterWrite.AddWall(0, written, Math.Max(1, perRound / 4));
        }

        notes.WriteLine(FormattableString.Invariant(
            $"{name}: barrier alone (position + wait, model current) median {barrier.MedianUs:0.0} us, p99 {barrier.PercentileUs(0.99):0.0} us; local listing median {local.MedianUs:0.0} us"));
        const string baseline = "local read model (reads: local)";
        return
        [
            BenchResult.From(name, store, 1, fresh, local, baseline),
            BenchResult.From(name + "/after-write", store, 1, afterWrite, local, baseline),
        ];
    }
}
