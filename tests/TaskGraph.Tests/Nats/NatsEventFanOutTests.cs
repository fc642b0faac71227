using System.Text;
using NATS.Client.Core;
using TaskGraph.Bus.Connection;
using TaskGraph.Bus.KeyValue;

namespace TaskGraph.Tests.Nats;

/// <summary>Every committed change is published on taskgraph.&lt;graph&gt;.events.&lt;kind&gt;.&lt;id&gt; for outside programs.</summary>
[Collection(NatsServerCollection.Name)]
public sealed class NatsEventFanOutTests(NatsServerFixture fixture)
{
    [Fact]
    public async Task Every_committed_change_is_published_once_in_commit_order_on_the_graphs_event_subjects()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var graph = "ev" + Guid.NewGuid().ToString("N")[..12];
        await using var store = await NatsRecordStore.OpenAsync(new NatsStoreOptions { Url = fixture.Server.Url, Graph = graph }, null, cts.Token);
        await using var follower = new NatsConnection(new NatsOpts { Url = fixture.Server.Url });
        var received = new List<(string Subject, string Body, string? Operation, string? Sequence)>();

        // Subscribed and flushed before the first write, so no event can slip past.
        await using var subscription = await follower.SubscribeCoreAsync<byte[]>($"taskgraph.{graph}.events.>", cancellationToken: cts.Token);
        await follower.PingAsync(cts.Token);

        var r1 = await store.CreateAsync("task.build-api", Encoding.UTF8.GetBytes("{\"status\":\"pending\"}"), cts.Token);
        var r2 = await store.UpdateAsync("task.build-api", Encoding.UTF8.GetBytes("{\"status\":\"working\"}"), r1, cts.Token);
        await store.CreateAsync("mark.=2Fsrc=2Fmain.rs", Encoding.UTF8.GetBytes("{\"file\":\"/src/main.rs\"}"), cts.Token);
        await store.DeleteAsync("task.build-api", r2, cts.Token);
        while (received.Count < 4)
        {
            var msg = await subscription.Msgs.ReadAsync(cts.Token);
            var operation = msg.Headers?.TryGetValue("KV-Operation", out var op) == true ? op.ToString() : null;
            var sequence = msg.Headers?.TryGetValue("Nats-Sequence", out var seq) == true ? seq.ToString() : null;
            received.Add((msg.Subject, Encoding.UTF8.GetString(msg.Data ?? []), operation, sequence));
        }

        Assert.Equal(
            [$"taskgraph.{graph}.events.task.build-api", $"taskgraph.{graph}.events.task.build-api", $"taskgraph.{graph}.events.mark.=2Fsrc=2Fmain.rs", $"taskgraph.{graph}.events.task.build-api"],
            received.Select(r => r.Subject));
        Assert.Equal("{\"status\":\"working\"}", received[1].Body);
        Assert.Equal("DEL", received[3].Operation);
        Assert.Equal(r2.ToString(System.Globalization.CultureInfo.InvariantCulture), received[1].Sequence);
    }
}
