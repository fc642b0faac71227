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
    [Description("Wait for changes to the graph (tasks, marks, dependencies; workers on request) after a cursor, from the "
        + "store's own log, so a cursor works on any node and after restarts. Returns {events, cursor, timed_out}; pass "
        + "cursor as since next time. Without since, waits for the next change from now. With worker_id, what it returns "
        + "counts as seen: other tools' answers carry pending_events while you have unseen events.")]
    public async Task<CallToolResult> WaitForEventsAsync(
        [Description("The cursor of the previous answer (a log position); absent: from now.")][ArgShape(ArgShape.Integer)] JsonElement? since = null,
        [Description("Event kinds: task, mark, dependency, worker (string or array; default task, mark, dependency).")][ArgShape(ArgShape.StringOrArray)] JsonElement? kinds = null,
        [Description("Only events of these task ids (string or array).")][ArgShape(ArgShape.StringOrArray)] JsonElement? tasks = null,
        [Description("Longest wait in ms (0..120000, default 30000).")][Range(0, MaxTimeoutMs)] int? timeout_ms = null,
        [Description("Most events to return (1..1000, default 100).")][Range(1, 1000)] int? limit = null,
        [Description("Your worker id: the events up to the answer's cursor count as seen for pending_events (a bound token's worker without it).")] string? worker_id = null,
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
