using System.Diagnostics;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Runtime;
using TaskGraph.Core.Tasks;

namespace TaskGraph.Bench;

/// <summary>
/// Links through the rules as the node composes them (<see cref="GraphRuntime"/>, read-model wait included), against one raw
/// single-record write per operation on the same engine. Two parts, each on a fresh store with tasks created up front:
/// one caller links N edges one by one (does the time per link stay flat as the graph grows? first and last 100 compared),
/// then <c>callers</c> agents link N edges in all at once (throughput, latency, and how many answers were CONFLICT).
/// Edges are seeded random pairs from a lower to a higher task index, so none can close a cycle.
/// </summary>
internal sealed class LinkScenario(string name, Func<IBenchEnvironment> environment, string store, int callers, int defaultEdges) : IScenario
{
    private const int Window = 100;
    private const int Rounds = 10;

    /// <inheritdoc />
    public string Name => name;

    /// <inheritdoc />
    public string Store => store;

    /// <inheritdoc />
    public string Description => $"link N edges one by one (first vs last {Window}), then {callers} callers linking N edges in all; vs raw single-record writes";

    /// <inheritdoc />
    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchOptions options, TextWriter notes, CancellationToken cancellationToken)
    {
        var edges = Math.Max(2, options.IterationsOr(defaultEdges));
        var tasks = edges + 1;
        var window = Math.Min(Window, edges / 2);
        await using var env = environment();

        await WarmUpAsync(env, cancellationToken).ConfigureAwait(false);
        var (first, last, all, rawOne, rawName) = await SequentialAsync(env, edges, tasks, window, cancellationToken).ConfigureAwait(false);
        var concurrent = await ConcurrentAsync(env, edges, tasks, cancellationToken).ConfigureAwait(false);

        var sequentialSeconds = all.OpsPerSecond > 0 ? edges / all.OpsPerSecond : 0;
        var flat = first.MedianUs > 0 ? last.MedianUs / first.MedianUs : 0;
        var flatP99 = first.PercentileUs(0.99) > 0 ? last.PercentileUs(0.99) / first.PercentileUs(0.99) : 0;
        notes.WriteLine(FormattableString.Invariant(
            $"{name}: {edges} links one by one over {tasks} tasks in {sequentialSeconds:0.0} s; first {window}: median {first.MedianUs:0.0} us, p99 {first.PercentileUs(0.99):0.0} us; last {window}: median {last.MedianUs:0.0} us, p99 {last.PercentileUs(0.99):0.0} us; last/first median {flat:0.00}x, p99 {flatP99:0.00}x (flat = about 1)"));
        notes.WriteLine(FormattableString.Invariant(
            $"{name}: {callers} callers, {edges} links in all: {concurrent.Samples.OpsPerSecond:0} links/s, created {concurrent.Created}, CONFLICT answers {concurrent.Conflicts}, other errors {concurrent.OtherErrors}{concurrent.FirstError}; raw baseline {concurrent.Raw.OpsPerSecond:0} writes/s"));

        return
        [
            BenchResult.From($"{name}/first-{window}", store, 1, first, rawOne, rawName) with { OpsPerSecond = Math.Round(1_000_000 / first.MedianUs) },
            BenchResult.From($"{name}/last-{window}", store, 1, last, rawOne, rawName) with { OpsPerSecond = Math.Round(1_000_000 / last.MedianUs) },
            BenchResult.From($"{name}/all-{edges}", store, 1, all, rawOne, rawName),
            BenchResult.From($"{name}/{callers}-callers", store, callers, concurrent.Samples, concurrent.Raw, concurrent.BaselineName),
        ];
    }

    /// <summary>JIT, statement caches and the read model's tables, on a throwaway store so the measured graphs start empty.</summary>
    private static async Task WarmUpAsync(IBenchEnvironment env, CancellationToken cancellationToken)
    {
        await using var runtime = await StartAsync(env, cancellationToken).ConfigureAwait(false);
        await CreateTasksAsync(runtime, 41, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < 40; i++)
        {
            await runtime.Dependencies.LinkAsync([CoreGraph.TaskId(i)], [CoreGraph.TaskId(i + 1)], "blocks", null, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<(LatencySamples First, LatencySamples Last, LatencySamples All, LatencySamples Raw, string RawName)> SequentialAsync(
        IBenchEnvironment env, int edges, int tasks, int window, CancellationToken cancellationToken)
    {
        var first = new LatencySamples();
        var last = new LatencySamples();
        var all = new LatencySamples();
        var raw = new LatencySamples();
        await using var runtime = await StartAsync(env, cancellationToken).ConfigureAwait(false);
        await using var baseline = await env.OpenBaselineAsync(1, cancellationToken).ConfigureAwait(false);
        await CreateTasksAsync(runtime, tasks, cancellationToken).ConfigureAwait(false);
        var pairs = Pairs(edges, tasks, seed: 1);
        for (var i = 0; i < 100; i++)
        {
            await baseline.WriteAsync(0, i, cancellationToken).ConfigureAwait(false);
        }

        // Rounds of links interleaved with rounds of raw writes, so machine noise hits both alike.
        var perRound = Math.Max(1, edges / Rounds);
        long sequence = 100;
        for (var done = 0; done < edges;)
        {
            var start = Stopwatch.GetTimestamp();
            var count = Math.Min(perRound, edges - done);
            for (var i = 0; i < count; i++, done++)
            {
                var (from, to) = pairs[done];
                var t0 = Stopwatch.GetTimestamp();
                var result = await runtime.Dependencies.LinkAsync([CoreGraph.TaskId(from)], [CoreGraph.TaskId(to)], "blocks", null, cancellationToken).ConfigureAwait(false);
                var t1 = Stopwatch.GetTimestamp();
                if (result.Created.Count != 1)
                {
                    throw new InvalidOperationException($"link {from} -> {to} created nothing: {string.Join(", ", result.Errors.Concat(result.Warnings).Select(e => e.Code))}");
                }

                all.Add(t0, t1);
                if (done < window)
                {
                    first.Add(t0, t1);
                }
                else if (done >= edges - window)
                {
                    last.Add(t0, t1);
                }
            }

            all.AddWall(start, Stopwatch.GetTimestamp(), count);
            start = Stopwatch.GetTimestamp();
            for (var i = 0; i < count; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                await baseline.WriteAsync(0, ++sequence, cancellationToken).ConfigureAwait(false);
                raw.Add(t0, Stopwatch.GetTimestamp());
            }

            raw.AddWall(start, Stopwatch.GetTimestamp(), count);
        }

        return (first, last, all, raw, baseline.Name);
    }

    private async Task<ConcurrentOutcome> ConcurrentAsync(IBenchEnvironment env, int edges, int tasks, CancellationToken cancellationToken)
    {
        var samples = new LatencySamples();
        var raw = new LatencySamples();
        await using var runtime = await StartAsync(env, cancellationToken).ConfigureAwait(false);
        await using var baseline = await env.OpenBaselineAsync(callers, cancellationToken).ConfigureAwait(false);
        await CreateTasksAsync(runtime, tasks, cancellationToken).ConfigureAwait(false);
        var pairs = Pairs(edges, tasks, seed: 2);
        var created = 0;
        var conflicts = 0;
        var others = 0;
        string? firstError = null;

        async Task LinkAsync(int caller)
        {
            for (var k = caller; k < pairs.Count; k += callers)
            {
                var (from, to) = pairs[k];
                var t0 = Stopwatch.GetTimestamp();
                try
                {
                    var result = await runtime.Dependencies.LinkAsync([CoreGraph.TaskId(from)], [CoreGraph.TaskId(to)], "blocks", null, cancellationToken).ConfigureAwait(false);
                    Interlocked.Add(ref created, result.Created.Count);
                    if (result.Created.Count != 1)
                    {
                        Interlocked.Increment(ref others);
                        Interlocked.CompareExchange(ref firstError, string.Join(", ", result.Errors.Concat(result.Warnings).Select(e => e.Code)), null);
                    }
                }
                catch (TaskGraphException ex) when (ex.Code == ErrorCodes.Conflict)
                {
                    Interlocked.Increment(ref conflicts);
                }
                catch (TaskGraphException ex)
                {
                    Interlocked.Increment(ref others);
                    Interlocked.CompareExchange(ref firstError, ex.Code, null);
                }

                samples.Add(t0, Stopwatch.GetTimestamp());
            }
        }

        var sequence = new long[callers];
        async Task RawAsync(int caller)
        {
            for (var k = caller; k < pairs.Count; k += callers)
            {
                var t0 = Stopwatch.GetTimestamp();
                await baseline.WriteAsync(caller, ++sequence[caller], cancellationToken).ConfigureAwait(false);
                raw.Add(t0, Stopwatch.GetTimestamp());
            }
        }

        await Concurrently.RunAsync(callers, c => RawAsync(c), null, 0).ConfigureAwait(false);
        await Concurrently.RunAsync(callers, c => LinkAsync(c), samples, pairs.Count).ConfigureAwait(false);
        await Concurrently.RunAsync(callers, c => RawAsync(c), raw, pairs.Count).ConfigureAwait(false);
        return new ConcurrentOutcome(samples, raw, baseline.Name, created, conflicts, others, firstError is null ? string.Empty : $" (first: {firstError})");
    }

    private static async Task<GraphRuntime> StartAsync(IBenchEnvironment env, CancellationToken cancellationToken) =>
        await GraphRuntime.StartAsync(
            await env.OpenStoreAsync(cancellationToken).ConfigureAwait(false), CoreGraph.Config(), TimeProvider.System, Path.GetTempPath(), null, cancellationToken).ConfigureAwait(false);

    private static async Task CreateTasksAsync(GraphRuntime runtime, int count, CancellationToken cancellationToken)
    {
        for (var i = 0; i < count; i++)
        {
            await runtime.Tasks.CreateAsync(new CreateTaskRequest { Id = CoreGraph.TaskId(i), Title = $"bench task {i}" }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary><paramref name="count"/> distinct seeded random pairs (lower index, higher index) over <paramref name="tasks"/> tasks.</summary>
    private static List<(int From, int To)> Pairs(int count, int tasks, int seed)
    {
        var random = new Random(seed);
        var seen = new HashSet<(int, int)>();
        var pairs = new List<(int From, int To)>(count);
        while (pairs.Count < count)
        {
            var a = random.Next(tasks);
            var b = random.Next(tasks);
            if (a != b && seen.Add((Math.Min(a, b), Math.Max(a, b))))
            {
                pairs.Add((Math.Min(a, b), Math.Max(a, b)));
            }
        }

        return pairs;
    }

    private sealed record ConcurrentOutcome(LatencySamples Samples, LatencySamples Raw, string BaselineName, int Created, int Conflicts, int OtherErrors, string FirstError);
}
