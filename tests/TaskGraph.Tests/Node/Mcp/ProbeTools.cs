using System.ComponentModel;
using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Storage;
using TaskGraph.Node.Mcp;
using TaskGraph.Node.Mcp.Rendering;

namespace TaskGraph.Tests.Node.Mcp;

/// <summary>Test-only tools that exercise argument binding and the error envelope.</summary>
[McpServerToolType]
public sealed class ProbeTools
{
    [McpServerTool(Name = "probe_typed"), Description("Typed parameters.")]
    public static CallToolResult Typed(
        [Description("Required text.")] string task,
        [Description("A number.")] int limit = 10,
        [Description("A flag.")] bool flag = false,
        [Description("Tags.")] string[]? tags = null) =>
        ToolResults.Json(new { task, limit, flag, tags });

    [McpServerTool(Name = "probe_lenient"), Description("Lenient parameters read through Args.")]
    public static CallToolResult Lenient(
        [Description("Priority.")] JsonElement? priority = null,
        [Description("Task id(s).")] JsonElement? task = null,
        [Description("Worker id.")] string? worker_id = null,
        [Description("Legacy worker id.")] string? agent = null) =>
        ToolResults.Json(new
        {
            priority = Args.Priority(priority),
            tasks = Args.StringOrArray(task, "task"),
            worker = Args.WorkerId(worker_id, agent),
            nothing = (string?)null,
        });

    [McpServerTool(Name = "probe_throw"), Description("Throws what it is told.")]
    public static string Throw([Description("Which exception.")] string kind) => kind switch
    {
        "domain" => throw new TaskGraphException(ErrorCodes.DependencyNotSatisfied, "Task blocked by unsatisfied dependencies: a, b")
        {
            Field = "task",
            BlockedBy = ["a", "b"],
            Suggestion = "Finish a and b first.",
            Details = new Dictionary<string, object?> { ["state"] = "pending" },
        },
        "conflict" => throw new ConcurrencyConflictException("tasks.x", 3),
        "store" => throw new StoreUnavailableException("nats down at /var/secret/path"),
        _ => throw new InvalidOperationException("boom at /home/someone/secret/file.cs"),
    };
}
