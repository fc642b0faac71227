using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using TaskGraph.Core.Queries;
using TaskGraph.Node.Auth;
using TaskGraph.Node.Mcp.Rendering;

namespace TaskGraph.Node.Mcp;

/// <summary>
/// Adds <c>pending_events: N</c> to a successful JSON tool answer when the calling worker has events it has not seen
/// (<see cref="PendingEvents"/>), so an agent whose client ignores notifications learns to call
/// <c>wait_for_events</c>; that call, in turn, marks what it returned as seen. The caller is the bound token's worker,
/// else the call's <c>worker_id</c>/<c>agent</c> argument. Registered inside the authorization filter (which fills a
/// bound token's identity) and outside the error conversion (so refusals are left as they are).
/// </summary>
public static class PendingEventsFilter
{
    /// <summary>The answer property.</summary>
    public const string Property = "pending_events";

    private const string WaitTool = "wait_for_events";

    /// <summary>The filter, for <c>WithRequestFilters(f =&gt; f.AddCallToolFilter(PendingEventsFilter.Create))</c>.</summary>
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> Create(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        async (request, cancellationToken) =>
        {
            var result = await next(request, cancellationToken);
            if (result.IsError == true || request.Params is not { } call
                || Caller(request.User, call) is not { } worker
                || request.Services?.GetService<PendingEvents>() is not { } pending)
            {
                return result;
            }

            if (call.Name == WaitTool)
            {
                if (Cursor(result) is { } cursor)
                {
                    pending.Seen(worker, cursor);
                }

                return result;
            }

            var count = pending.Count(worker);
            return count == 0 ? result : With(result, count);
        };

    /// <summary>
    /// Who calls: a bound token's worker, else the identity argument of an acting tool or of <c>wait_for_events</c> (a
    /// read tool's <c>agent</c>/<c>worker_id</c> is a filter, not the caller).
    /// </summary>
    private static string? Caller(System.Security.Claims.ClaimsPrincipal? user, CallToolRequestParams call)
    {
        if (Principal.From(user)?.WorkerId is { } bound)
        {
            return bound;
        }

        if (call.Name != WaitTool && ToolPermissions.Of(call.Name) == Permission.Read)
        {
            return null;
        }

        foreach (var name in ToolPermissions.IdentityArguments)
        {
            if (call.Arguments?.TryGetValue(name, out var value) == true && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } id)
            {
                return id;
            }
        }

        return null;
    }

    private static ulong? Cursor(CallToolResult result) =>
        Body(result) is { } body && body["cursor"] is JsonValue value && value.TryGetValue<ulong>(out var cursor) ? cursor : null;

    private static CallToolResult With(CallToolResult result, int count)
    {
        if (Body(result) is not { } body)
        {
            return result;
        }

        body[Property] = count;
        return ToolResults.Text(body.ToJsonString(ToolJson.Options));
    }

    private static JsonObject? Body(CallToolResult result) => ToolResults.Body(result);
}
