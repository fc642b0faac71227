using System.Diagnostics;
using TaskGraph.Core.Errors;

namespace TaskGraph.Bench;

/// <summary>
/// N agents race to claim one fresh task per round through the rules; exactly one must win. Winner and loser latencies
/// are reported apart, against N concurrent raw claim-if-unowned transactions on one fresh row per round.
/// </summary>
internal sealed class RaceScenario(string name, Func<IBenchEnvironment> environment, string store, int racers, int defaultIterations) : IScenario
{
    /// <inheritdoc />
    public string Name => name;

    /// <inheritdoc />
    public string Store => store;

    /// <inheritdoc />
    public string Description => $"{racers} agents race to claim one fresh task per round; winner and loser latency vs raw claim-if-unowned";

    /// <inheritdoc />
    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchOptions options, TextWriter notes, CancellationToken cancellationToken)
    {
        var rounds = Math.Max(1, options.IterationsOr(defaultIterations) / racers);
        var warmRounds = Math.Min(20, rounds);
        await using var env = environment();
        var winners = new LatencySamples();
        var losers = new LatencySamples();
        var rawWinners = new LatencySamples();
        var rawLosers = new LatencySamples();
        await using var graph = await CoreGraph.StartAsync(await env.OpenStoreAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        await using var baseline = await env.OpenBaselineAsync(racers, cancellationToken).ConfigureAwait(false);
        await graph.ConnectWorkersAsync(racers, cancellationToken).ConfigureAwait(false);
        await graph.CreateTasksAsync(0, warmRounds + rounds, cancellationToken).ConfigureAwait(false);
        await baseline.PrepareRaceAsync(warmRounds + rounds, cancellationToken).ConfigureAwait(false);
        var conflicts = 0;
        var badRounds = 0;

        async Task CoreRoundAsync(int task, bool measure)
        {
            var winner = -1;
            var won = 0;
            await Concurrently.RunAsync(racers, async racer =>
            {
                var t0 = Stopwatch.GetTimestamp();
                try
                {
                    await graph.ClaimAsync(racer, task, cancellationToken).ConfigureAwait(false);
                    if (measure)
                    {
                        winners.Add(t0, Stopwatch.GetTimestamp());
                    }

                    Interlocked.Increment(ref won);
                    winner = racer;
                }
                catch (TaskGraphException ex) when (ex.Code is ErrorCodes.AlreadyClaimed or ErrorCodes.Conflict)
                {
                    if (measure)
                    {
                        losers.Add(t0, Stopwatch.GetTimestamp());
                    }

                    if (ex.Code == ErrorCodes.Conflict)
                    {
                        Interlocked.Increment(ref conflicts);
                    }
                }
            }, measure ? winners : null, racers).ConfigureAwait(false);
            if (won != 1)
            {
                badRounds++;
            }

            if (winner >= 0)
            {
                // Untimed: keep the winner's worker record small for the next round.
                await graph.ReleaseAsync(winner, task, cancellationToken).ConfigureAwait(false);
            }
        }

        async Task RawRoundAsync(int round, bool measure)
        {
            var won = 0;
            await Concurrently.RunAsync(racers, async racer =>
            {
                var t0 = Stopwatch.GetTimestamp();
                var win = await baseline.RaceAsync(racer, round, cancellationToken).ConfigureAwait(false);
                if (measure)
                {
                    (win ? rawWinners : rawLosers).Add(t0, Stopwatch.GetTimestamp());
                }

                if (win)
                {
                    Interlocked.Increment(ref won);
                }
            }, measure ? rawWinners : null, racers).ConfigureAwait(false);
            if (won != 1)
            {
                badRounds++;
            }
        }

        for (var round = 0; round < warmRounds; round++)
        {
            await CoreRoundAsync(round, false).ConfigureAwait(false);
            await RawRoundAsync(round, false).ConfigureAwait(false);
        }

        for (var round = warmRounds; round < warmRounds + rounds; round++)
        {
            await CoreRoundAsync(round, true).ConfigureAwait(false);
            await RawRoundAsync(round, true).ConfigureAwait(false);
        }

        notes.WriteLine(FormattableString.Invariant(
            $"{name}: {rounds} rounds x {racers} racers; rounds without exactly one winner: {badRounds}; losers that gave up with CONFLICT: {conflicts}; raw winner p99 {rawWinners.PercentileUs(0.99):0.0} us, raw loser p99 {rawLosers.PercentileUs(0.99):0.0} us"));
        var baselineName = baseline.RaceName;
        return
        [
            BenchResult.From(name + "/winner", store, racers, winners, rawWinners, baselineName),
            BenchResult.From(name + "/loser", store, racers, losers, rawLosers, baselineName) with { OpsPerSecond = Math.Round(winners.OpsPerSecond) },
        ];
    }
}
