using TaskGraph.Core.Configuration;
using TaskGraph.Core.Runtime;
using TaskGraph.Tests.Rules;

namespace TaskGraph.Tests.Nats.Invariants;

/// <summary>
/// A single nats-server killed with -9 and restarted on its store directory while agents claim through two rule nodes and
/// a <see cref="GraphRuntime"/>: state persists, the stores reconnect by themselves, and the runtime's read model resumes
/// following (its own claims wait for it: read-your-writes). Runs on its own server, since it kills it.
/// </summary>
public sealed class ServerRestartClaimTests(ITestOutputHelper output)
{
    private const int Agents = 6;
    private const int Tasks = 24;
    private const int RestartAfterWins = 6;

    [Fact]
    public async Task Restarting_the_server_during_a_claim_race_keeps_every_claim_and_the_read_model_follows_again()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var server = await NatsServerProcess.StartAsync(cts.Token);
        var config = new TaskGraphConfig { Server = new ServerSettings { ClaimLimit = Tasks } };
        await using var first = await RulesHarness.CreateOnNatsAsync(
            _ => server.Url, 1, config, TimeProvider.System, o => o with { RequestTimeout = TimeSpan.FromSeconds(3) }, cts.Token);
        await using var second = await first.OpenNodeAsync(cts.Token);
        await using var runtime = await GraphRuntime.StartAsync(
            await first.OpenStoreAsync(cts.Token), new ConfigHolder(config), TimeProvider.System, first.MarkDirectory, null, cts.Token);
        for (var t = 0; t < Tasks; t++)
        {
            await first.CreateAsync($"t{t}", cts.Token);
        }

        for (var a = 0; a < Agents; a++)
        {
            await first.ConnectAsync($"agent{a}", cts.Token);
        }

        var race = new ClaimRaceUnderFaults();
        var winsAtRestart = 0;
        var restarter = Task.Run(async () =>
        {
            while (race.Wins < RestartAfterWins)
            {
                await Task.Delay(2, cts.Token);
            }

            winsAtRestart = race.Wins;
            await server.RestartAsync(cts.Token);
        }, cts.Token);

        await race.RunAsync(Agents, Tasks, a => (a % 3) switch { 0 => first.Tasks, 1 => second.Tasks, _ => runtime.Tasks }, cts.Token);
        await restarter.WaitAsync(cts.Token);

        output.WriteLine($"restarted after {winsAtRestart} wins; agents saw {race.Unavailable} STORE_UNAVAILABLE and {race.Conflicts} CONFLICT");
        Assert.True(race.Wins > winsAtRestart);
        await race.AssertExactlyOnceAsync(second, Agents, Tasks, cts.Token);

        // The read model caught up with everything the store holds and agrees with it.
        var position = await first.Store.GetPositionAsync(cts.Token);
        await runtime.Reads.WaitForPositionAsync(position, cts.Token);
        for (var t = 0; t < Tasks; t++)
        {
            var stored = await first.TaskAsync($"t{t}", cts.Token);
            var read = runtime.Reads.GetTask($"t{t}");
            Assert.Equal((stored.Status, stored.Owner), (read?.Status, read?.Owner));
        }

        // And it keeps following: a write through another node shows up in it.
        await second.CreateAsync("after", cts.Token);
        await runtime.Reads.WaitForPositionAsync(await first.Store.GetPositionAsync(cts.Token), cts.Token);
        Assert.NotNull(runtime.Reads.GetTask("after"));
    }
}
