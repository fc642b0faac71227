using ModelContextProtocol.Server;

namespace TaskGraph.Node.Hosting;

/// <summary>
/// An incoming-message filter that makes the graph the message was addressed to (<see cref="ServedGraphs.ClaimType"/>
/// on its user) current while the message is handled, so the tools, resources and filters get that graph's services.
/// </summary>
public static class GraphSelectionFilter
{
    /// <summary>The filter, for <c>WithMessageFilters(f =&gt; f.AddIncomingFilter(GraphSelectionFilter.Create))</c>.</summary>
    public static McpMessageHandler Create(McpMessageHandler next) =>
        (context, cancellationToken) =>
        {
            (context.Services ?? context.Server.Services)?.GetService<ServedGraphs>()?.Select(context.User);
            return next(context, cancellationToken);
        };
}
