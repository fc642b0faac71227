using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace TaskGraph.Node.Resources;

/// <summary>
/// Where a <c>notifications/resources/updated</c> goes: a session that subscribed with <c>resources/subscribe</c>
/// (2025 revisions, stdio), or the held-open response of a 2026-07-28 <c>subscriptions/listen</c> request, whose
/// notifications carry the listen request's id under <c>_meta</c>.
/// </summary>
public sealed class NotificationTarget
{
    private readonly McpServer _server;
    private readonly JsonNode? _subscriptionId;

    private NotificationTarget(McpServer server, JsonNode? subscriptionId)
    {
        _server = server;
        _subscriptionId = subscriptionId;
    }

    /// <summary>A session's own channel.</summary>
    public static NotificationTarget Session(McpServer server) => new(server, null);

    /// <summary>The stream of the <c>subscriptions/listen</c> request <paramref name="id"/> on <paramref name="server"/>.</summary>
    public static NotificationTarget Listen(McpServer server, RequestId id) =>
        new(server, JsonSerializer.SerializeToNode(id, McpJsonUtilities.DefaultOptions));

    /// <summary>The session's server (the key of its session subscriptions).</summary>
    public McpServer Server => _server;

    /// <summary>Tells the target that <paramref name="uri"/> changed.</summary>
    public Task SendUpdatedAsync(string uri, CancellationToken cancellationToken) =>
        _subscriptionId is null
            ? _server.SendNotificationAsync(NotificationMethods.ResourceUpdatedNotification, new ResourceUpdatedNotificationParams { Uri = uri }, cancellationToken: cancellationToken)
            : SendTaggedAsync(NotificationMethods.ResourceUpdatedNotification, new JsonObject { ["uri"] = uri }, cancellationToken);

    /// <summary>The one <c>subscriptions/acknowledged</c> a listen stream starts with: the resource URIs it will honor.</summary>
    public Task AcknowledgeAsync(IEnumerable<string> uris, CancellationToken cancellationToken) =>
        SendTaggedAsync(
            NotificationMethods.SubscriptionsAcknowledgedNotification,
            new JsonObject { ["notifications"] = new JsonObject { ["resourceSubscriptions"] = new JsonArray([.. uris.Select(u => (JsonNode)u)]) } },
            cancellationToken);

    private Task SendTaggedAsync(string method, JsonObject parameters, CancellationToken cancellationToken)
    {
        parameters["_meta"] = new JsonObject { [MetaKeys.SubscriptionId] = _subscriptionId?.DeepClone() };
        return _server.SendMessageAsync(new JsonRpcNotification { Method = method, Params = parameters }, cancellationToken);
    }
}
