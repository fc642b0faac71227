using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
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

    [Fact]
    public async Task A_stateless_2026_client_listening_on_node_b_is_notified_of_a_task_created_on_node_a()
    {
        var ct = Timeout(120);
        var graph = NewGraph("listen");
        await using var a = await HttpNode.StartOnNatsAsync(nats.Server.Url, graph, ct);
        await using var b = await HttpNode.StartOnNatsAsync(nats.Server.Url, graph, ct);
        var secret = await a.CreateTokenAsync("listener", "admin", ct);
        await using var onA = await a.ConnectAsync(secret, ct);

        // subscriptions/listen as the 2026-07-28 revision sends it: no initialize, metadata in _meta, the answer a stream.
        using var http = NewClient();
        using var listen = new HttpRequestMessage(HttpMethod.Post, b.Endpoint)
        {
            Content = new StringContent(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["jsonrpc"] = "2.0",
                ["id"] = 41,
                ["method"] = "subscriptions/listen",
                ["params"] = new Dictionary<string, object>
                {
                    ["notifications"] = new { resourceSubscriptions = new[] { "query://tasks/all" } },
                    ["_meta"] = new Dictionary<string, object>
                    {
                        [MetaKeys.ProtocolVersion] = "2026-07-28",
                        [MetaKeys.ClientInfo] = new { name = "raw-listener", version = "1" },
                        [MetaKeys.ClientCapabilities] = new { },
                    },
                },
            }), System.Text.Encoding.UTF8, "application/json"),
        };
        listen.Headers.Add("Authorization", "Bearer " + secret);
        listen.Headers.Add("Accept", "application/json, text/event-stream");
        listen.Headers.Add("MCP-Protocol-Version", "2026-07-28");
        listen.Headers.Add("Mcp-Method", "subscriptions/listen");
        using var response = await http.SendAsync(listen, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
        {
            Assert.Fail($"listen answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
        }

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));

        var acknowledged = await NextMessageAsync(reader, ct);
        Assert.Equal("notifications/subscriptions/acknowledged", acknowledged.GetProperty("method").GetString());
        Assert.Equal(41, acknowledged.GetProperty("params").GetProperty("_meta").GetProperty(MetaKeys.SubscriptionId).GetInt32());

        var created = Stopwatch.GetTimestamp();
        await onA.CallAsync("create", new { id = "heard", title = "Made on node A" }, ct);
        var updated = await NextMessageAsync(reader, ct);
        var elapsed = Stopwatch.GetElapsedTime(created);
        Assert.Equal("notifications/resources/updated", updated.GetProperty("method").GetString());
        Assert.Equal("query://tasks/all", updated.GetProperty("params").GetProperty("uri").GetString());
        Assert.Equal(41, updated.GetProperty("params").GetProperty("_meta").GetProperty(MetaKeys.SubscriptionId).GetInt32());
        Assert.True(elapsed <= PropagationLimit, $"notified {elapsed.TotalMilliseconds:F0} ms after the create (limit {PropagationLimit.TotalSeconds} s)");
    }

    /// <summary>The next JSON-RPC message of a server-sent event stream.</summary>
    private static async Task<JsonElement> NextMessageAsync(StreamReader reader, CancellationToken ct)
    {
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.StartsWith("data:", StringComparison.Ordinal) && line.Length > 5)
            {
                return JsonDocument.Parse(line[5..]).RootElement.Clone();
            }
        }

        throw new InvalidOperationException("the listen stream ended");
    }
}
