using System.Globalization;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using TaskGraph.Node.Hosting;
using TaskGraph.Node.Mcp.Rendering;

namespace TaskGraph.Node.Mcp;

/// <summary>
/// On an edge node cut off from its hub, adds <c>stale_since</c> (the last moment the hub answered, ISO 8601 UTC) to
/// every successful JSON answer: reads then come from this node's read model, which is at most that old. Writes are
/// refused meanwhile (HUB_UNREACHABLE, which carries the same time in its details), so in practice the answers that
/// carry it are reads (<c>get</c>, <c>list_tasks</c>, ...) and a known worker's <c>connect</c>.
/// </summary>
public static class StaleReadFilter
{
    /// <summary>The answer property.</summary>
    public const string Property = "stale_since";

    /// <summary>The filter, for <c>WithRequestFilters(f =&gt; f.AddCallToolFilter(StaleReadFilter.Create))</c>.</summary>
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> Create(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        async (request, cancellationToken) =>
        {
            var result = await next(request, cancellationToken);
            if (result.IsError == true
                || request.Services?.GetService<ServedGraphs>()?.Current.Runtime.StaleSince is not { } since
                || ToolResults.Body(result) is not { } body)
            {
                return result;
            }

            body[Property] = since.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
            return ToolResults.Json(body);
        };
}
