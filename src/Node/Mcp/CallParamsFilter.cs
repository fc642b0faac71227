using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace TaskGraph.Node.Mcp;

/// <summary>
/// An incoming-message filter that answers a malformed <c>tools/call</c> (params not an object, <c>name</c> missing or
/// not a string, <c>arguments</c> not an object) with JSON-RPC -32602 Invalid params naming the problem, before the SDK
/// fails to deserialize it with a generic -32603.
/// </summary>
public static class CallParamsFilter
{
    /// <summary>The filter, for <c>WithMessageFilters(f =&gt; f.AddIncomingFilter(CallParamsFilter.Create))</c>.</summary>
    public static McpMessageHandler Create(McpMessageHandler next) =>
        (context, cancellationToken) =>
        {
            if (context.JsonRpcMessage is JsonRpcRequest { Method: RequestMethods.ToolsCall } request && Problem(request.Params) is { } problem)
            {
                throw new McpProtocolException(problem, McpErrorCode.InvalidParams);
            }

            return next(context, cancellationToken);
        };

    /// <summary>What is wrong with <c>tools/call</c> params, or null when their shape is right.</summary>
    public static string? Problem(JsonNode? parameters)
    {
        if (parameters is not JsonObject o)
        {
            return "Invalid params: tools/call params must be an object {name, arguments}";
        }

        if (o["name"] is not JsonValue name || !name.TryGetValue<string>(out var text) || string.IsNullOrEmpty(text))
        {
            return "Invalid params: name (the tool to call) is required and must be a string";
        }

        return o.TryGetPropertyValue("arguments", out var arguments) && arguments is not (null or JsonObject)
            ? "Invalid params: arguments must be an object"
            : null;
    }
}
