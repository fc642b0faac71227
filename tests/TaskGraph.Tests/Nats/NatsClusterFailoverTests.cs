using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using TaskGraph.Bus.Connection;
using TaskGraph.Bus.KeyValue;
using TaskGraph.Core.Storage;

namespace TaskGraph.Tests.Nats;

/// <summary>An R3 graph on its own 3-node cluster while a node is killed with -9 in the middle of a CAS race.</summary>
public sealed class NatsClusterFailoverTests
{
    private const string Counter = "task.counter";
    private static readonly TimeSpan FenceTtl = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task Cas_increments_stay_exact_when_the_node_a_client_is_connected_to_is_killed()
    {
        const int writers = 4;
        const int target = 240;
        const int killAt = 60;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(100));
        await using var cluster = await NatsCluster.StartAsync(cts.Token);
        await using var a = await NatsRecordStore.OpenAsync(Options(cluster, 0), null, cts.Token);
        await using var b = await NatsRecordStore.OpenAsync(Options(cluster, 1), null, cts.Token);
        Assert.True(a.UsesCasFence);
        await a.CreateAsync(Counter, Bytes("0|init"), cts.Token);

        var confirmed = new ConcurrentDictionary<string, int>();
        var ambiguous = 0;
        var killed = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var victim = a.Connection.ServerInfo?.Name ?? throw new InvalidOperationException("store a is not connected");
        var killer = Task.Run(async () =>
        {
            while (confirmed.Count < killAt)
            {
                await Task.Delay(5, cts.Token);
            }

            await cluster.Nodes.Single(n => n.Name == victim).KillAsync();
            killed.SetResult(confirmed.Count);
        }, cts.Token);

        var racers = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var store = w % 2 == 0 ? a : b;
            for (var op = 0; confirmed.Count < target; op++)
            {
                var id = $"w{w}-{op}";
                while (true)
                {
                    var entry = await RetryAsync(() => store.GetAsync(Counter, cts.Token), cts.Token)
                        ?? throw new InvalidOperationException("counter vanished");
                    var next = int.Parse(Text(entry.Value).Split('|')[0], CultureInfo.InvariantCulture) + 1;
                    try
                    {
                        await store.UpdateAsync(Counter, Bytes($"{next}|{id}"), entry.Revision, cts.Token);
                        Assert.True(confirmed.TryAdd(id, next));
                        break;
                    }
                    catch (ConcurrencyConflictException)
                    {
                        // Lost the race: read again.
                    }
                    catch (StoreUnavailableException)
                    {
                        // Ambiguous: the write may have landed, or may still land. Once our fence has expired nobody
                        // can be holding an in-flight write on that revision, and the history says whether it landed.
                        Interlocked.Increment(ref ambiguous);
                        await Task.Delay(FenceTtl, cts.Token);
                        var history = await RetryAsync(() => store.HistoryAsync(Counter, 0, cts.Token), cts.Token);
                        var landed = history.FirstOrDefault(c => Text(c.Value).EndsWith("|" + id, StringComparison.Ordinal));
                        if (landed is not null)
                        {
                            Assert.True(confirmed.TryAdd(id, int.Parse(Text(landed.Value).Split('|')[0], CultureInfo.InvariantCulture)));
                            break;
                        }
                    }
                }
            }
        }, cts.Token)).ToList();
        await Task.WhenAll(racers).WaitAsync(cts.Token);
        await killer.WaitAsync(cts.Token);

        var atKill = await killed.Task;
        var final = await RetryAsync(() => a.GetAsync(Counter, cts.Token), cts.Token);
        var total = confirmed.Count;
        Assert.Equal(total.ToString(CultureInfo.InvariantCulture), Text(final!.Value).Split('|')[0]);
        Assert.True(total > atKill, $"no write succeeded after the kill of {victim} at {atKill}");

        // Nothing lost, nothing doubled: the log holds 0..total in order, each confirmed operation exactly once.
        var log = await RetryAsync(() => b.HistoryAsync(Counter, 0, cts.Token), cts.Token);
        var values = log.Select(c => Text(c.Value).Split('|')).ToList();
        Assert.Equal(Enumerable.Range(0, total + 1), values.Select(v => int.Parse(v[0], CultureInfo.InvariantCulture)));
        Assert.Equal(confirmed.OrderBy(c => c.Value).Select(c => c.Key), values.Skip(1).Select(v => v[1]));
    }

    private static async Task<T> RetryAsync<T>(Func<ValueTask<T>> call, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await call();
            }
            catch (StoreUnavailableException)
            {
                await Task.Delay(50, cancellationToken);
            }
        }
    }

    private static NatsStoreOptions Options(NatsCluster cluster, int firstNode) => new()
    {
        Url = cluster.UrlsStartingAt(firstNode),
        Graph = "failover",
        Replicas = 3,

        // Short fences: a fence won by a write that then timed out blocks the counter this long.
        CasFenceTtl = FenceTtl,
    };

    private static ReadOnlyMemory<byte> Bytes(string value) => Encoding.UTF8.GetBytes(value);

    private static string Text(ReadOnlyMemory<byte> value) => Encoding.UTF8.GetString(value.Span);
}
