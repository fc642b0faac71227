using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using TaskGraph.Tests.Nats;
using static TaskGraph.Tests.Node.Distributed.Distributed;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;
using static TaskGraph.Tests.Node.Http.Http;

namespace TaskGraph.Tests.Node.Http;

/// <summary>
/// The <c>query://</c> resources and their subscriptions across nodes: a session on node B subscribed to
/// <c>query://tasks/all</c> is told of a task created through node A (both on one nats-server), and reading the resource
/// then shows it.
/// </summary>
[Collection(NatsServerCollection.Name)]
public sealed class ResourceNotificationTests(NatsServerFixture nats)
{
    [Fact]
    public async Task A_session_on_node_b_subscribed_to_the_task_list_is_notified_of_a_task_created_on_node_a()
    {
        var ct = Timeout(120);
        var graph = NewGraph("notify");
        await using var a = await HttpNode.StartOnNatsAsync(nats.Server.Url, graph, ct);
        await using var b = await HttpNode.StartOnNatsAsync(nats.Server.Url, graph, ct);
        var secret = await a.CreateTokenAsync("notified-admin", "admin", ct);
        await using var onA = await a.ConnectAsync(secret, ct);
        await using var onB = await b.ConnectAsync(secret, ct, protocolVersion: "2025-06-18");

        var listed = await onB.Client.ListResourcesAsync(cancellationToken: ct);
        Assert.Contains(listed, r => r.Uri == "query://tasks/all");
        var templates = await onB.Client.ListResourceTemplatesAsync(cancellationToken: ct);
        Assert.Contains(templates, t => t.UriTemplate == "query://tasks/agent/{id}");

        var updates = new ConcurrentQueue<(string Uri, long At)>();

        // Subscribing answers only after the node registered it, so a change made after this point must be told.
        await onB.Client.SubscribeToResourceAsync("query://tasks/all", (n, _) =>
        {
            updates.Enqueue((n.Uri, Stopwatch.GetTimestamp()));
            return ValueTask.CompletedTask;
        }, cancellationToken: ct);
        await onB.Client.SubscribeToResourceAsync("query://files/marks", (n, _) =>
        {
            updates.Enqueue((n.Uri, Stopwatch.GetTimestamp()));
            return ValueTask.CompletedTask;
        }, cancellationToken: ct);

        await onA.CallAsync("create", new { id = "announced", title = "Made on node A" }, ct);
        await WithinPropagationLimitAsync(() => Task.FromResult(updates.Any(u => u.Uri == "query://tasks/all")), "node B's session is notified", ct);
        Assert.DoesNotContain(updates, u => u.Uri == "query://files/marks");

        var read = await onB.Client.ReadResourceAsync("query://tasks/all", cancellationToken: ct);
        var text = Assert.IsType<TextResourceContents>(Assert.Single(read.Contents)).Text;
        Assert.Contains(JsonDocument.Parse(text).RootElement.GetProperty("tasks").EnumerateArray(), t => t.GetProperty("id").GetString() == "announced");
    }
}
