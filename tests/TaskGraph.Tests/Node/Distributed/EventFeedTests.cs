using System.Globalization;
using System.Text.Json;
using NATS.Client.Core;
using TaskGraph.Tests.Nats;
using static TaskGraph.Tests.Node.Distributed.Distributed;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.Distributed;

/// <summary>An outside program follows the graph with a plain NATS subscription on the node's event subjects.</summary>
[Collection(NatsServerCollection.Name)]
public sealed class EventFeedTests(NatsServerFixture nats)
{
    [Fact]
    public async Task A_plain_nats_subscriber_sees_a_tasks_create_and_claim_in_order_with_the_task_json()
    {
        var ct = Timeout();
        var graph = NewGraph("feed");
        await using var follower = new NatsConnection(new NatsOpts { Url = nats.Server.Url });

        // Subscribed (and flushed) before the node exists, so nothing it commits can slip past.
        await using var subscription = await follower.SubscribeCoreAsync<byte[]>($"taskgraph.{graph}.events.>", cancellationToken: ct);
        await follower.PingAsync(ct);

        await using var node = await StartNodeAsync(nats.Server.Url, graph, ct);
        await node.CallAsync("connect", new { worker_id = "fay" }, ct);
        await node.CallAsync("create", new { id = "press-7", title = "Calibrate press 7", priority = 8 }, ct);
        await node.CallAsync("claim", new { worker_id = "fay", task = "press-7" }, ct);

        var taskEvents = new List<(JsonElement Task, ulong Sequence)>();
        var subjects = new List<string>();
        while (taskEvents.Count < 2)
        {
            var msg = await subscription.Msgs.ReadAsync(ct);
            subjects.Add(msg.Subject);
            if (msg.Subject == $"taskgraph.{graph}.events.task.press-7")
            {
                Assert.False(msg.Headers?.ContainsKey("KV-Operation") == true && msg.Headers["KV-Operation"] == "DEL");
                var sequence = ulong.Parse(msg.Headers!["Nats-Sequence"].ToString(), CultureInfo.InvariantCulture);
                taskEvents.Add((JsonDocument.Parse(msg.Data).RootElement.Clone(), sequence));
            }
        }

        // The worker's own record came first (connect), then the task as created, then the task as claimed.
        Assert.Equal($"taskgraph.{graph}.events.worker.fay", subjects[0]);
        var (created, createdAt) = taskEvents[0];
        var (claimed, claimedAt) = taskEvents[1];
        Assert.True(createdAt < claimedAt);
        Assert.Equal(("press-7", "Calibrate press 7", "pending", 8), (String(created, "id"), String(created, "title"), String(created, "status"), created.GetProperty("priority").GetInt32()));
        Assert.Null(String(created, "worker_id"));
        Assert.Equal(("press-7", "working", "fay"), (String(claimed, "id"), String(claimed, "status"), String(claimed, "worker_id")));
        Assert.True(claimed.GetProperty("lease_epoch").GetInt64() > created.GetProperty("lease_epoch").GetInt64());

        await node.CallAsync("disconnect", new { worker_id = "fay" }, ct);
    }
}
