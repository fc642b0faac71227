namespace TaskGraph.Core.Errors;

/// <summary>
/// The one domain exception: a code from <see cref="ErrorCodes"/>, a message safe to show an agent, and optional
/// structured fields. Translated to the MCP error envelope in exactly one place (Node).
/// </summary>
public sealed class TaskGraphException(string code, string message) : Exception(message)
{
    /// <summary>The error code.</summary>
    public string Code { get; } = code;

    /// <summary>The offending argument, if one.</summary>
    public string? Field { get; init; }

    /// <summary>Extra structured detail.</summary>
    public IReadOnlyDictionary<string, object?>? Details { get; init; }

    /// <summary>Ids of unsatisfied predecessors (for DEPENDENCY_NOT_SATISFIED).</summary>
    public IReadOnlyList<string>? BlockedBy { get; init; }

    /// <summary>What the agent could do next.</summary>
    public string? Suggestion { get; init; }

    /// <summary>A missing required argument.</summary>
    public static TaskGraphException Missing(string field) =>
        new(ErrorCodes.MissingRequiredField, $"{field} is required") { Field = field };

    /// <summary>An invalid argument value.</summary>
    public static TaskGraphException Invalid(string field, string message) =>
        new(ErrorCodes.InvalidFieldValue, message) { Field = field };

    /// <summary>An unknown task.</summary>
    public static TaskGraphException TaskNotFound(string id, string field = "task") =>
        new(ErrorCodes.TaskNotFound, $"Task not found: {id}") { Field = field };

    /// <summary>An unknown worker.</summary>
    public static TaskGraphException AgentNotFound(string id, string field = "worker_id") =>
        new(ErrorCodes.AgentNotFound, $"Agent not found: {id}") { Field = field };

    /// <summary>A worker that is not registered (never connected, or evicted), with what to do about it.</summary>
    public static TaskGraphException UnregisteredWorker(string id, string field) =>
        new(ErrorCodes.AgentNotFound, $"Agent not found: {id}")
        {
            Field = field,
            Suggestion = "Call connect() first (or connect(worker_id, force=true) after an eviction).",
        };

    /// <summary>A worker past its heartbeat deadline.</summary>
    public static TaskGraphException LeaseExpired(string id, string field) =>
        new(ErrorCodes.LeaseExpired, $"Worker '{id}' missed its heartbeat deadline; its claims may have been released.")
        {
            Field = field,
            Suggestion = "Reconnect with connect(worker_id, force=true), then check your tasks with list_tasks(owner=...).",
        };
}
