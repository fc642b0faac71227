using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using TaskGraph.Core.Errors;
using TaskGraph.Node.Configuration;

namespace TaskGraph.Node.Mcp;

/// <summary>
/// Tool profiles: which tools <c>tools/list</c> shows, so an agent pays context only for the tools it uses.
/// <c>core</c> is the work loop (connect, claim, thinking, update, get, list_tasks, the marks, search); <c>full</c> is every
/// tool. The profile comes from <c>server.tools</c> (<c>--tools</c>) and is read per request, so a config reload applies it.
/// A call to a tool outside the profile answers UNKNOWN_TOOL naming the profile that has it. The feedback tools
/// (<see cref="FeedbackTools"/>) exist only while <c>feedback.enabled</c> is true: otherwise they are neither listed nor
/// callable, also read per request.
/// </summary>
public static class ToolProfiles
{
    /// <summary>The profile with every tool (the default).</summary>
    public const string Full = "full";

    /// <summary>The work-loop profile.</summary>
    public const string Core = "core";

    /// <summary>The tools of the core profile.</summary>
    public static IReadOnlySet<string> CoreTools { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "connect", "claim", "thinking", "update", "get", "list_tasks", "mark_file", "unmark_file", "mark_updates", "search",
    };

    /// <summary>The tools that exist only with <c>feedback.enabled: true</c> (in the full profile).</summary>
    public static IReadOnlySet<string> FeedbackTools { get; } = new HashSet<string>(StringComparer.Ordinal) { "give_feedback", "list_feedback" };

    /// <summary>True when <paramref name="profile"/> shows <paramref name="tool"/>.</summary>
    public static bool Shows(string profile, string tool) => profile != Core || CoreTools.Contains(tool);

    /// <summary>The smallest profile that has <paramref name="tool"/>.</summary>
    public static string ProfileOf(string tool) => CoreTools.Contains(tool) ? Core : Full;

    /// <summary>The list-tools filter: drops the tools the node's profile does not show.</summary>
    public static McpRequestHandler<ListToolsRequestParams, ListToolsResult> ListFilter(McpRequestHandler<ListToolsRequestParams, ListToolsResult> next) =>
        async (request, cancellationToken) =>
        {
            var result = await next(request, cancellationToken);
            var profile = Profile(request.Services);
            var feedback = FeedbackEnabled(request.Services);
            if (profile != Full || !feedback)
            {
                result.Tools = [.. result.Tools.Where(t => Shows(profile, t.Name) && (feedback || !FeedbackTools.Contains(t.Name)))];
            }

            return result;
        };

    /// <summary>The call-tool filter: a tool outside the profile is refused as unknown, with the profile that has it.</summary>
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> CallFilter(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        (request, cancellationToken) =>
        {
            var profile = Profile(request.Services);
            if (request.MatchedPrimitive is McpServerTool hidden && FeedbackTools.Contains(hidden.ProtocolTool.Name) && !FeedbackEnabled(request.Services))
            {
                return ValueTask.FromResult(ToolErrors.Result(new ErrorEnvelope(
                    ErrorCodes.UnknownTool,
                    $"Unknown tool: {hidden.ProtocolTool.Name} (the feedback tools are off on this node; feedback.enabled: true turns them on)")));
            }

            if (request.MatchedPrimitive is McpServerTool tool && !Shows(profile, tool.ProtocolTool.Name))
            {
                var name = tool.ProtocolTool.Name;
                return ValueTask.FromResult(ToolErrors.Result(new ErrorEnvelope(
                    ErrorCodes.UnknownTool,
                    $"Unknown tool: {name} is not in this node's tool profile '{profile}'; it is in profile '{ProfileOf(name)}' (serve with --tools {ProfileOf(name)})",
                    Details: new Dictionary<string, object?> { ["profile"] = profile, ["tool_profile"] = ProfileOf(name) })));
            }

            return next(request, cancellationToken);
        };

    private static bool FeedbackEnabled(IServiceProvider? services) =>
        services?.GetService<NodeConfig>()?.Loaded.FeedbackEnabled ?? false;

    private static string Profile(IServiceProvider? services) =>
        services?.GetService<NodeConfig>()?.Current.Server.Tools ?? Full;
}
