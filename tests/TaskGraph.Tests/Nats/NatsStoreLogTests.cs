using System.Globalization;
using System.Text;
using NATS.Client.Core;
using NATS.Net;
using TaskGraph.Bus.Connection;
using TaskGraph.Bus.KeyValue;
using TaskGraph.Core.Storage;

namespace TaskGraph.Tests.Nats;

/// <summary>What the NATS store adds beyond the contract: every revision is kept, opening is idempotent, purges do no harm.</summary>
[Collection(NatsServerCollection.Name)]
public sealed class NatsStoreLogTests(NatsServerFixture fixture)
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_bucket_keeps_every_revision_beyond_the_usual_kv_history_limit_of_64()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        var graph = NewGraph();
        await using var store = await NatsRecordStore.OpenAsync(Options(graph), null, cts.Token);
        var revision = await store.CreateAsync("task.busy", Bytes("0"), cts.Token);
        for (var i = 1; i <= 100; i++)
        {
            revision = await store.UpdateAsync("task.busy", Bytes(i.ToString(CultureInfo.InvariantCulture)), revision, cts.Token);
        }

        var history = await store.HistoryAsync("task.busy", 0, cts.Token);

        Assert.Equal(Enumerable.Range(0, 101).Select(i => i.ToString(CultureInfo.InvariantCulture)), history.Select(c => Text(c.Value)));
        Assert.Equal(revision, history[^1].Revision);
        await using var connection = new NatsConnection(new NatsOpts { Url = fixture.Server.Url });
        var kv = await connection.CreateKeyValueStoreContext().GetStoreAsync(store.BucketName, cts.Token);
        var bucketHistory = 0;
        await foreach (var unused in kv.HistoryAsync<byte[]>("task.busy", cancellationToken: cts.Token))
        {
            bucketHistory++;
        }

        Assert.Equal(101, bucketHistory);
    }

    [Fact]
    public async Task Several_nodes_opening_the_same_graph_at_once_share_one_bucket()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        var graph = NewGraph();

        var stores = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => NatsRecordStore.OpenAsync(Options(graph), null, cts.Token)));
        try
        {
            var revision = await stores[0].CreateAsync("task.a", Bytes("one"), cts.Token);
            foreach (var store in stores)
            {
                Assert.Equal(revision, (await store.GetAsync("task.a", cts.Token))?.Revision);
                Assert.Equal(revision, await store.GetPositionAsync(cts.Token));
            }
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_purge_by_another_client_leaves_a_delete_and_the_store_working()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var store = await NatsRecordStore.OpenAsync(Options(NewGraph()), null, cts.Token);
        var r1 = await store.CreateAsync("task.p", Bytes("v1"), cts.Token);
        await store.UpdateAsync("task.p", Bytes("v2"), r1, cts.Token);
        await using var connection = new NatsConnection(new NatsOpts { Url = fixture.Server.Url });
        var kv = await connection.CreateKeyValueStoreContext().GetStoreAsync(store.BucketName, cts.Token);

        await kv.PurgeAsync("task.p", cancellationToken: cts.Token);
        var after = await store.CreateAsync("task.q", Bytes("after"), cts.Token);

        Assert.Equal(after, await store.GetPositionAsync(cts.Token));
        Assert.Null(await store.GetAsync("task.p", cts.Token));
        var history = await store.HistoryAsync("task.p", 0, cts.Token);
        Assert.Equal(ChangeKind.Delete, Assert.Single(history).Kind);
    }

    [Fact]
    public async Task A_graph_name_outside_the_stream_name_charset_is_refused()
    {
        using var cts = new CancellationTokenSource(TestTimeout);

        await Assert.ThrowsAsync<ArgumentException>(() => NatsRecordStore.OpenAsync(Options("bad.name"), null, cts.Token));
    }

    private static string NewGraph() => "l" + Guid.NewGuid().ToString("N")[..16];

    private static ReadOnlyMemory<byte> Bytes(string value) => Encoding.UTF8.GetBytes(value);

    private static string Text(ReadOnlyMemory<byte> value) => Encoding.UTF8.GetString(value.Span);

    private NatsStoreOptions Options(string graph) => new() { Url = fixture.Server.Url, Graph = graph };
}
