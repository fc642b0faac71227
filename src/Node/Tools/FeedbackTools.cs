using System.ComponentModel;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Graph;
using TaskGraph.Node.Configuration;
using TaskGraph.Node.Feedback;
using TaskGraph.Node.Mcp;
using TaskGraph.Node.Mcp.Rendering;

namespace TaskGraph.Node.Tools;

/// <summary>
/// Agent feedback for the people who run the node, kept in the project's <c>feedback.md</c>. Listed and callable only
/// with <c>feedback.enabled: true</c> (<see cref="ToolProfiles"/>).
/// </summary>
[McpServerToolType]
internal sealed class FeedbackTools(NodeConfig config, TimeProvider time)
{
    private readonly FeedbackLog _log = new(config, time);

    [McpServerTool(Name = "give_feedback", Destructive = false, Idempotent = false, OpenWorld = false)]
    [Description("Tell the people running TaskGraph what helped or got in your way; appended to the project's feedback.md.")]
    public async Task<CallToolResult> GiveFeedbackAsync(
        [Description("Your feedback.")] string? message = null,
        [Description("tool, workflow, config, ux or general.")][DefaultValue("general")] string? category = null,
        [Description("positive, negative, neutral or suggestion.")][DefaultValue("neutral")] string? sentiment = null,
        [Description("Your worker id.")] string? agent_id = null,
        [Description("The tool it is about.")] string? tool_name = null,
        [Description("The task it is about.")] string? task_id = null,
        CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            throw message is null ? TaskGraphException.Missing("message") : TaskGraphException.Invalid("message", "message must not be empty");
        }

        var entry = new FeedbackEntry
        {
            Message = Args.RequiredString(message, "message", Limits.DescriptionLength),
            Category = Choice(category, "category", "general", FeedbackLog.Categories),
            Sentiment = Choice(sentiment, "sentiment", "neutral", FeedbackLog.Sentiments),
            AgentId = Args.OptionalString(agent_id, "agent_id", Limits.IdLength),
            ToolName = Args.OptionalString(tool_name, "tool_name", Limits.IdLength),
            TaskId = Args.OptionalString(task_id, "task_id", Limits.IdLength),
        };
        var path = await _log.AppendAsync(entry, cancellationToken);
        return ToolResults.Json(new { status = "recorded", file = _log.DisplayName(path) });
    }

    [McpServerTool(Name = "list_feedback", ReadOnly = true, OpenWorld = false)]
    [Description("The feedback recorded so far (feedback.md).")]
    public async Task<CallToolResult> ListFeedbackAsync(CancellationToken cancellationToken = default)
    {
        var (path, content) = await _log.ReadAsync(cancellationToken);
        return content is null
            ? ToolResults.Json(new { content = string.Empty, file = _log.DisplayName(path), message = "No feedback recorded yet." })
            : ToolResults.Json(new { content, file = _log.DisplayName(path) });
    }

    private static string Choice(string? value, string field, string fallback, IReadOnlyList<string> allowed)
    {
        var given = Args.OptionalString(value, field, 64);
        return given is null ? fallback
            : allowed.Contains(given, StringComparer.Ordinal) ? given
            : throw TaskGraphException.Invalid(field, $"Invalid {field} '{given}'. Must be one of: {string.Join(", ", allowed)}");
    }
}
