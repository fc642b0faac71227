using System.Diagnostics;

namespace TaskGraph.Bench;

/// <summary>
/// N callers (N workers, disjoint task pools) claim and release concurrently through the rules, against N concurrent raw
/// single-row writes (one connection each, own key). Interleaved in rounds.
/// </summary>
internal sealed class ConcurrentClaimScenario(string name, Func<IBenchEnvironment> environment, string store, int callers, int defaultIterations) : IScenario
{
    private const int PoolPerCaller = 8;
    private const int Rounds = 5;

    /// <inheritdoc />
    public string Name => name;

    /// <inheritdoc />
    public string Store => store;

    /// <inheritdoc />
    public string Description => $"{callers} callers on disjoint tasks: claim+release cycle through Core vs {callers} concurrent raw round trips";

    /// <inheritdoc />
    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchOptions options, TextWriter notes, CancellationToken cancellationToken)
    {
        var iterations = options.IterationsOr(defaultIterations);
        var perCaller = Math.Max(1, iterations / (Rounds * callers));
        await using var env = environment();
        var cycle = new LatencySamples();
        var raw = new LatencySamples();
        await using var graph = await CoreGraph.StartAsync(await env.OpenStoreAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        await using var baseline = await env.OpenBaselineAsync(callers, cancellationToken).ConfigureAwait(false);
        await graph.ConnectWorkersAsync(callers, cancellationToken).ConfigureAwait(false);
        await graph.CreateTasksAsync(0, callers * PoolPerCaller, cancellationToken).ConfigureAwait(false);
        var next = new int[callers];
        var sequence = new long[callers];

        async Task CoreAsync(int caller, int count, LatencySamples? samples)
        {
            for (var i = 0; i < count; i++)
            {
                var task = (caller * PoolPerCaller) + (next[caller]++ % PoolPerCaller);
                var t0 = Stopwatch.GetTimestamp();
                await graph.ClaimAsync(caller, task, cancellationToken).ConfigureAwait(false);
                await graph.ReleaseAsync(caller, task, cancellationToken).ConfigureAwait(false);
                samples?.Add(t0, Stopwatch.GetTimestamp());
            }
        }

        async Task RawAsync(int caller, int count, LatencySamples? samples)
        {
            for (var i = 0; i < count; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                await baseline.WriteAsync(caller, ++sequence[caller], cancellationToken).ConfigureAwait(false);
                samples?.Add(t0, Stopwatch.GetTimestamp());
            }
        }

        var warm = Math.Min(30, perCaller);
        await Concurrently.RunAsync(callers, c => CoreAsync(c, warm, null), null, 0).ConfigureAwait(false);
        await Concurrently.RunAsync(callers, c => RawAsync(c, warm * 4, null), null, 0).ConfigureAwait(false);
        for (var round = 0; round < Rounds; round++)
        {
            await Concurrently.RunAsync(callers, c => CoreAsync(c, perCaller, cycle), cycle, (long)perCaller * callers).ConfigureAwait(false);
            await Concurrently.RunAsync(callers, c => RawAsync(c, perCaller, raw), raw, (long)perCaller * callers).ConfigureAwait(false);
        }

        notes.WriteLine(FormattableString.Invariant(
            $"{name}: raw baseline {raw.OpsPerSecond:0} ops/s, p99 {raw.PercentileUs(0.99):0.0} us; Core {cycle.OpsPerSecond:0} cycles/s ({callers} callers, {cycle.Count} cycles)"));
        return [BenchResult.From(name, store, callers, cycle, raw, baseline.Name)];
    }
}
