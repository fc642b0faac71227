using System.Diagnostics;

namespace TaskGraph.Bench;

/// <summary>
/// One caller claims then releases tasks from a pool through the rules (claim = update to the first timed state, release =
/// update back to pending), against one raw single-row write per operation on the same engine. Interleaved in rounds.
/// Also reports claim and release alone, and a profile of the store round trips each makes.
/// </summary>
internal sealed class ClaimReleaseScenario(string name, Func<IBenchEnvironment> environment, string store, int defaultIterations) : IScenario
{
    private const int Pool = 64;
    private const int Rounds = 10;
    private const int ProfileCycles = 500;

    /// <inheritdoc />
    public string Name => name;

    /// <inheritdoc />
    public string Store => store;

    /// <inheritdoc />
    public string Description => "1 caller: claim+release cycle through Core vs one raw round trip (single-row txn / KV get+CAS)";

    /// <inheritdoc />
    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchOptions options, TextWriter notes, CancellationToken cancellationToken)
    {
        var iterations = options.IterationsOr(defaultIterations);
        var perRound = Math.Max(1, iterations / Rounds);
        await using var env = environment();
        var cycle = new LatencySamples();
        var claim = new LatencySamples();
        var release = new LatencySamples();
        var raw = new LatencySamples();
        await using (var graph = await CoreGraph.StartAsync(await env.OpenStoreAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false))
        {
            await using var baseline = await env.OpenBaselineAsync(1, cancellationToken).ConfigureAwait(false);
            await graph.ConnectWorkersAsync(1, cancellationToken).ConfigureAwait(false);
            await graph.CreateTasksAsync(0, Pool, cancellationToken).ConfigureAwait(false);
            var next = 0;
            long sequence = 0;

            // Warm-up: JIT, statement caches, page cache, read-model tables.
            for (var i = 0; i < Math.Min(500, iterations); i++)
            {
                await CycleAsync(graph, next++ % Pool, null, null, null, cancellationToken).ConfigureAwait(false);
                await baseline.WriteAsync(0, ++sequence, cancellationToken).ConfigureAwait(false);
            }

            for (var round = 0; round < Rounds; round++)
            {
                var start = Stopwatch.GetTimestamp();
                for (var i = 0; i < perRound; i++)
                {
                    await CycleAsync(graph, next++ % Pool, cycle, claim, release, cancellationToken).ConfigureAwait(false);
                }

                var end = Stopwatch.GetTimestamp();
                cycle.AddWall(start, end, perRound);
                start = end;
                for (var i = 0; i < perRound; i++)
                {
                    var t0 = Stopwatch.GetTimestamp();
                    await baseline.WriteAsync(0, ++sequence, cancellationToken).ConfigureAwait(false);
                    raw.Add(t0, Stopwatch.GetTimestamp());
                }

                raw.AddWall(start, Stopwatch.GetTimestamp(), perRound);
            }

            var baselineName = baseline.Name;
            var results = new List<BenchResult>
            {
                BenchResult.From(name, store, 1, cycle, raw, baselineName),
                BenchResult.From(name + "/claim", store, 1, claim, raw, baselineName) with { OpsPerSecond = Math.Round(1_000_000 / claim.MedianUs) },
                BenchResult.From(name + "/release", store, 1, release, raw, baselineName) with { OpsPerSecond = Math.Round(1_000_000 / release.MedianUs) },
            };
            await ProfileAsync(env, notes, cancellationToken).ConfigureAwait(false);
            return results;
        }
    }

    /// <summary>One claim then release of <paramref name="task"/> by worker 0, timed into the samples given.</summary>
    internal static async Task CycleAsync(
        CoreGraph graph, int task, LatencySamples? cycle, LatencySamples? claim, LatencySamples? release, CancellationToken cancellationToken)
    {
        var t0 = Stopwatch.GetTimestamp();
        await graph.ClaimAsync(0, task, cancellationToken).ConfigureAwait(false);
        var t1 = Stopwatch.GetTimestamp();
        await graph.ReleaseAsync(0, task, cancellationToken).ConfigureAwait(false);
        var t2 = Stopwatch.GetTimestamp();
        cycle?.Add(t0, t2);
        claim?.Add(t0, t1);
        release?.Add(t1, t2);
    }

    /// <summary>Where a claim's and a release's time goes: store round trips by kind, read-model waits, and the rest.</summary>
    private async Task ProfileAsync(IBenchEnvironment env, TextWriter notes, CancellationToken cancellationToken)
    {
        var profile = new StoreProfile();
        await using var graph = await CoreGraph.StartProfiledAsync(await env.OpenStoreAsync(cancellationToken).ConfigureAwait(false), profile, cancellationToken).ConfigureAwait(false);
        await graph.ConnectWorkersAsync(1, cancellationToken).ConfigureAwait(false);
        await graph.CreateTasksAsync(0, Pool, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < 200; i++)
        {
            await graph.ClaimAsync(0, i % Pool, cancellationToken).ConfigureAwait(false);
            await graph.ReleaseAsync(0, i % Pool, cancellationToken).ConfigureAwait(false);
        }

        var claims = default(StoreProfile.Snapshot);
        var releases = default(StoreProfile.Snapshot);
        long claimTicks = 0;
        long releaseTicks = 0;
        for (var i = 0; i < ProfileCycles; i++)
        {
            var s0 = profile.Take();
            var t0 = Stopwatch.GetTimestamp();
            await graph.ClaimAsync(0, i % Pool, cancellationToken).ConfigureAwait(false);
            var t1 = Stopwatch.GetTimestamp();
            var s1 = profile.Take();
            await graph.ReleaseAsync(0, i % Pool, cancellationToken).ConfigureAwait(false);
            var t2 = Stopwatch.GetTimestamp();
            var s2 = profile.Take();
            claims += s1 - s0;
            releases += s2 - s1;
            claimTicks += t1 - t0;
            releaseTicks += t2 - t1;
        }

        notes.WriteLine($"{name}: store round trips and time per operation (mean of {ProfileCycles}, profiled run):");
        notes.WriteLine(Describe("claim", claims, claimTicks));
        notes.WriteLine(Describe("release", releases, releaseTicks));
    }

    private static string Describe(string what, StoreProfile.Snapshot s, long totalTicks)
    {
        static double Us(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency / ProfileCycles;
        static double Per(long count) => (double)count / ProfileCycles;
        var rest = totalTicks - s.ReadTicks - s.WriteTicks - s.WaitTicks;
        return FormattableString.Invariant(
            $"  {what,-8} {Per(s.Gets):0.#} gets + {Per(s.Lists):0.#} lists + {Per(s.Positions):0.#} positions ({Us(s.ReadTicks):0.0} us), {Per(s.Writes):0.#} writes ({Us(s.WriteTicks):0.0} us), {Per(s.Waits):0.#} read-model waits ({Us(s.WaitTicks):0.0} us), rules/serialization {Us(rest):0.0} us; total {Us(totalTicks):0.0} us");
    }
}
