using System.Text;
using TaskGraph.Bus.Connection;
using TaskGraph.Bus.KeyValue;
using TaskGraph.Core.Storage;

namespace TaskGraph.Tests.Nats;

/// <summary>A single server killed with -9 and restarted on the same port and store directory.</summary>
public sealed class NatsServerRestartTests
{
    [Fact]
    public async Task Data_survives_a_kill_and_restart_and_the_store_and_its_watch_reconnect_by_themselves()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var server = await NatsServerProcess.StartAsync(cts.Token);
        await using var store = await NatsRecordStore.OpenAsync(
            new NatsStoreOptions { Url = server.Url, Graph = "restart" }, null, cts.Token);
        var revisions = new Dictionary<string, ulong>();
        for (var i = 0; i < 10; i++)
        {
            revisions["task.k" + i] = await store.CreateAsync("task.k" + i, Bytes("v" + i), cts.Token);
        }

        var before = await store.GetPositionAsync(cts.Token);
        var afterRestart = new TaskCompletionSource<RecordChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = Task.Run(async () =>
        {
            await foreach (var change in store.WatchAsync(before, cts.Token))
            {
                afterRestart.TrySetResult(change);
                break;
            }
        }, cts.Token);

        await server.KillAsync();
        await server.RestartAsync(cts.Token);

        // The store keeps its connection object; it reconnects on its own. Until then calls fail as unavailable.
        RecordEntry? first = null;
        while (first is null)
        {
            try
            {
                first = await store.GetAsync("task.k0", cts.Token);
            }
            catch (StoreUnavailableException)
            {
                await Task.Delay(50, cts.Token);
            }
        }

        foreach (var (key, revision) in revisions)
        {
            Assert.Equal(revision, (await store.GetAsync(key, cts.Token))?.Revision);
        }

        Assert.Equal(before, await store.GetPositionAsync(cts.Token));
        var next = await store.UpdateAsync("task.k0", Bytes("after restart"), revisions["task.k0"], cts.Token);
        var seen = await afterRestart.Task.WaitAsync(cts.Token);
        Assert.Equal(("task.k0", next), (seen.Key, seen.Revision));
        await watch.WaitAsync(cts.Token);
    }

    private static ReadOnlyMemory<byte> Bytes(string value) => Encoding.UTF8.GetBytes(value);
}
