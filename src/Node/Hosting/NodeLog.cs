using Microsoft.Extensions.Logging;

namespace TaskGraph.Node.Hosting;

/// <summary>The node's log messages (EventIds 3xxx).</summary>
public static partial class NodeLog
{
    /// <summary>A config warning found while loading.</summary>
    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Config: {Warning}")]
    public static partial void ConfigWarning(ILogger logger, string warning);

    /// <summary>The node starts serving.</summary>
    [LoggerMessage(EventId = 3002, Level = LogLevel.Information,
        Message = "taskgraph {Version} serving MCP over stdio (store {Store}, graph {Graph}, default workflow {Workflow})")]
    public static partial void Serving(ILogger logger, string version, string store, string graph, string workflow);

    /// <summary>A config file that was read.</summary>
    [LoggerMessage(EventId = 3003, Level = LogLevel.Debug, Message = "Config source: {Source}")]
    public static partial void ConfigSource(ILogger logger, string source);

    /// <summary>A tool failed unexpectedly; the agent got INTERNAL_ERROR.</summary>
    [LoggerMessage(EventId = 3010, Level = LogLevel.Error, Message = "Tool {Tool} failed")]
    public static partial void ToolFailed(ILogger logger, string tool, Exception exception);

    /// <summary>A tool call was refused with a typed error.</summary>
    [LoggerMessage(EventId = 3011, Level = LogLevel.Debug, Message = "Tool {Tool} refused: {Code} {Message}")]
    public static partial void ToolRejected(ILogger logger, string tool, string code, string message);
}
