using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

using TaskGraph.Node.Hosting;

namespace TaskGraph.Node.Mcp;

/// <summary>
/// The read barrier of every read tool: before the tool runs, the node's read model catches up with the store's current
/// position (<see cref="Core.Runtime.GraphRuntime.CatchUpAsync"/>), so a read reflects every write acknowledged before it
/// began, through any node or process. Off with <c>server.reads: local</c>. Registered after (inside)
/// <see cref="ToolCallFilter"/>, so a store that does not answer becomes the STORE_UNAVAILABLE envelope.
/// </summary>
public static class FreshReadFilter
{
    // Tools that answer from the read model although they also write (eviction, a mark cursor).
    private static readonly HashSet<string> ReadModelWriters = new(StringComparer.Ordinal) { "list_agents", "mark_updates" };

    // Read-only tools that answer from files and config, never from the read model: no catch-up needed.
    private static readonly HashSet<string> Storeless = new(StringComparer.Ordinal) { "list_skills", "get_skill", "list_feedback" };

    /// <summary>The filter, for <c>WithRequestFilters(f =&gt; f.AddCallToolFilter(FreshReadFilter.Create))</c>.</summary>
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> Create(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        async (request, cancellationToken) =>
        {
            if (request.MatchedPrimitive is McpServerTool tool
                && IsRead(tool)
                && request.Services?.GetService<ServedGraphs>()?.Current.Runtime is { } graph
                && graph.Config.Current.Server.Reads != "local")
            {
                await graph.CatchUpAsync(cancellationToken);
            }

            return await next(request, cancellationToken);
        };

    /// <summary>True for the tools that answer from the read model: every read-only tool but those reading files and config (skills, feedback), and the listed read-model writers.</summary>
    public static bool IsRead(McpServerTool tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        var name = tool.ProtocolTool.Name;
        return (tool.ProtocolTool.Annotations?.ReadOnlyHint == true && !Storeless.Contains(name)) || ReadModelWriters.Contains(name);
    }
}
