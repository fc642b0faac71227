using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Queries;
using TaskGraph.Core.Runtime;
using TaskGraph.Node.Hosting;
using TaskGraph.Node.Mcp;
using TaskGraph.Node.Mcp.Rendering;

namespace TaskGraph.Node.Tools;

/// <summary>wait_for_events: long-poll for changes, for clients that ignore MCP notifications.</summary>
[McpServerToolType]
internal sealed class EventTools(ServedGraphs served)
{
    private readonly GraphRuntime _graph = served.Current.Runtime;

    private const int DefaultTimeoutMs = 30_000;
    private const int MaxTimeoutMs = 120_000;

    [McpServerTool(Name = "wait_for_events", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Wait for changes after a cursor (since), from the store's log: works on any node. Returns {events, cursor, timed_out}. With worker_id, returned events count as seen (pending_events).")]
    public async Task<CallToolResult> WaitForEventsAsync(
        [Description("Previous answer's cursor (absent: from now).")][ArgShape(ArgShape.Integer)] JsonElement? since = null,
        [Description("Kinds: task, mark, dependency, worker.")][ArgShape(ArgShape.StringOrArray)] JsonElement? kinds = null,
        [Description("Only these tasks.")][ArgShape(ArgShape.StringOrArray)] JsonElement? tasks = null,
        [Description("Longest wait, ms.")][Range(0, MaxTimeoutMs)] int? timeout_ms = null,
        [Description("Most events.")][Range(1, 1000)] int? limit = null,
        [Description("Your worker id (marks events seen).")] string? worker_id = null,
        CancellationToken cancellationToken = default)
    {
        // worker_id is read by PendingEventsFilter, which marks the answer's events as seen for that worker.
        _ = Args.OptionalString(worker_id, "worker_id", 200);
        var cursor = Args.Cursor(since, "since");
        var kindList = Args.StringOrArray(kinds, "kinds");
        foreach (var kind in kindList.Where(k => !EventFeed.Kinds.Contains(k)))
        {
            throw TaskGraphException.Invalid("kinds", $"unknown event kind '{kind}' (known: task, mark, dependency, worker)");
        }

        var taskList = Args.StringOrArray(tasks, "tasks");
        if (timeout_ms is < 0 or > MaxTimeoutMs)
        {
            throw TaskGraphException.Invalid("timeout_ms", $"timeout_ms must be between 0 and {MaxTimeoutMs}");
        }

        if (limit is < 1 or > 1000)
        {
            throw TaskGraphException.Invalid("limit", "limit must be between 1 and 1000");
        }

        var page = await _graph.Events.WaitAsync(
            cursor,
            kindList.Count == 0 ? null : kindList.ToHashSet(StringComparer.Ordinal),
            taskList.Count == 0 ? null : taskList.ToHashSet(StringComparer.Ordinal),
            TimeSpan.FromMilliseconds(timeout_ms ?? DefaultTimeoutMs),
            limit ?? 100,
            cancellationToken);
        return ToolResults.Json(new Dictionary<string, object>
        {
            ["events"] = page.Events,
            ["cursor"] = page.Cursor,
            ["timed_out"] = page.TimedOut,
        });
    }
}
