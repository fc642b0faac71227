namespace TaskGraph.Node.Hosting;

/// <summary>The node's log messages (EventIds 3xxx).</summary>
public static partial class NodeLog
{
    /// <summary>A config warning found while loading.</summary>
    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Config: {Warning}")]
    public static partial void ConfigWarning(ILogger logger, string warning);

    /// <summary>The node starts serving.</summary>
    [LoggerMessage(EventId = 3002, Level = LogLevel.Information,
        Message = "taskgraph {Version} serving MCP over {Transports} (store {Store}, graph {Graph}, default workflow {Workflow})")]
    public static partial void Serving(ILogger logger, string version, string transports, string store, string graph, string workflow);

    /// <summary>A config file that was read.</summary>
    [LoggerMessage(EventId = 3003, Level = LogLevel.Debug, Message = "Config source: {Source}")]
    public static partial void ConfigSource(ILogger logger, string source);

    /// <summary>The store works but is weaker than asked (a bucket with fewer replicas); agents see it in connect's answer.</summary>
    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Store: {Warning}")]
    public static partial void StoreWarning(ILogger logger, string warning);

    /// <summary>stdin closed before the node served; it stops without serving.</summary>
    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "stdin closed before the node was ready; stopping")]
    public static partial void StdinClosedWhileStarting(ILogger logger);

    /// <summary>A tool failed unexpectedly; the agent got INTERNAL_ERROR.</summary>
    [LoggerMessage(EventId = 3010, Level = LogLevel.Error, Message = "Tool {Tool} failed")]
    public static partial void ToolFailed(ILogger logger, string tool, Exception exception);

    /// <summary>A tool call was refused with a typed error.</summary>
    [LoggerMessage(EventId = 3011, Level = LogLevel.Debug, Message = "Tool {Tool} refused: {Code} {Message}")]
    public static partial void ToolRejected(ILogger logger, string tool, string code, string message);

    /// <summary>The store the node opened.</summary>
    [LoggerMessage(EventId = 3020, Level = LogLevel.Information, Message = "Store: {Store} ({Location}); read model at position {Position}")]
    public static partial void StoreOpened(ILogger logger, string store, string location, ulong position);

    /// <summary>The sweeper evicted stale workers.</summary>
    [LoggerMessage(EventId = 3021, Level = LogLevel.Information, Message = "Lease sweep evicted {Count} worker(s): {Workers}; released {Tasks} task(s), {Files} mark(s)")]
    public static partial void Evicted(ILogger logger, int count, string workers, int tasks, int files);

    /// <summary>A sweep failed; it is retried on the next tick.</summary>
    [LoggerMessage(EventId = 3022, Level = LogLevel.Warning, Message = "Lease sweep failed; retrying on the next tick")]
    public static partial void SweepFailed(ILogger logger, Exception exception);

    /// <summary>The HTTP listener is up (tests and scripts read the URL from this line).</summary>
    [LoggerMessage(EventId = 3030, Level = LogLevel.Information, Message = "MCP over HTTP: listening on {Url} (auth {Auth})")]
    public static partial void HttpListening(ILogger logger, string url, string auth);
}
