using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using TaskGraph.Core.Graph;
using TaskGraph.Core.Marks;
using TaskGraph.Core.Queries;
using TaskGraph.Core.Records;
using TaskGraph.Core.Runtime;
using TaskGraph.Node.Hosting;
using TaskGraph.Node.Mcp;
using TaskGraph.Node.Mcp.Rendering;

namespace TaskGraph.Node.Tools;

/// <summary>File mark tools: mark_file, unmark_file, list_marks, mark_updates.</summary>
[McpServerToolType]
internal sealed class MarkTools(ServedGraphs served, MarkFeed feed)
{
    private readonly GraphRuntime _graph = served.Current.Runtime;

    [McpServerTool(Name = "mark_file", Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Mark files you edit. A mark held by another worker gives a warning. 'lock:<name>' is exclusive: LOCK_CONFLICT if another live worker holds it.")]
    public async Task<CallToolResult> MarkFileAsync(
        [Description("Your worker id.")] string? agent = null,
        [Description("Path(s) or lock: names (string or array).")][ArgShape(ArgShape.StringOrArray)] JsonElement? file = null,
        [Description("The task you mark them for.")] string? task = null,
        [Description("Why (shown to others).")] string? reason = null,
        [Description("Alias of agent.")] string? worker_id = null,
        CancellationToken cancellationToken = default)
    {
        var result = await _graph.Marks.MarkAsync(
            Args.WorkerId(worker_id, agent)!, Args.StringOrArray(file, "file", required: true, Limits.PathLength), Args.OptionalString(task, "task", 200), reason, cancellationToken);
        var o = new JsonObject { ["success"] = true, ["marked"] = TaskJson.Strings(result.Marked) };
        if (result.LocksAcquired.Count > 0)
        {
            o["locks_acquired"] = TaskJson.Strings(result.LocksAcquired);
        }

        if (result.Warnings.Count > 0)
        {
            o["warnings"] = MarkJson.Warnings(result.Warnings);
        }

        return ToolResults.Json(o);
    }

    [McpServerTool(Name = "unmark_file", Destructive = true, Idempotent = true, OpenWorld = false)]
    [Description("Remove your marks on files ('*' = all yours), or every mark of a task.")]
    public async Task<CallToolResult> UnmarkFileAsync(
        [Description("Your worker id.")] string? agent = null,
        [Description("Path(s) (string or array) or '*'.")][ArgShape(ArgShape.StringOrArray)] JsonElement? file = null,
        [Description("Remove every mark made for this task.")] string? task = null,
        [Description("Why (recorded).")] string? reason = null,
        [Description("Alias of agent.")] string? worker_id = null,
        CancellationToken cancellationToken = default)
    {
        var files = Args.StringOrArray(file, "file", maxLength: Limits.PathLength);
        var removed = await _graph.Marks.UnmarkAsync(Args.WorkerId(worker_id, agent)!, files.Count == 0 ? null : files, Args.OptionalString(task, "task", 200), reason, cancellationToken);
        return ToolResults.Json(new JsonObject
        {
            ["success"] = true,
            ["unmarked"] = new JsonArray([.. removed.Select(r => (JsonNode?)new JsonObject { ["file"] = r.File, ["agent"] = r.Agent })]),
            ["count"] = removed.Count,
        });
    }

    [McpServerTool(Name = "list_marks", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("List file marks filtered by files, agent or task (at least one filter).")]
    public Task<CallToolResult> ListMarksAsync(
        [Description("Files (string or array).")][ArgShape(ArgShape.StringOrArray)] JsonElement? files = null,
        [Description("Only marks held by this worker.")] string? agent = null,
        [Description("Only marks made for this task.")] string? task = null)
    {
        var marks = _graph.MarkQueries.List(Args.StringOrArray(files, "files", maxLength: Limits.PathLength), agent, task, QueryScope.Everything);
        var now = _graph.NowMs;
        return Task.FromResult(ToolResults.Json(new JsonObject
        {
            ["marks"] = new JsonArray([.. marks.Select(m => (JsonNode?)Mark(m, now))]),
        }));
    }

    [McpServerTool(Name = "mark_updates", ReadOnly = false, Destructive = false, Idempotent = false, OpenWorld = false)]
    [Description("File marks added (new_marks) and removed (removed_marks) since your last call.")]
    public async Task<CallToolResult> MarkUpdatesAsync(
        [Description("Your worker id.")] string? agent = null,
        [Description("Alias of agent.")] string? worker_id = null,
        CancellationToken cancellationToken = default)
    {
        var updates = await feed.PollAsync(Args.WorkerId(worker_id, agent)!, cancellationToken);
        return ToolResults.Json(new JsonObject
        {
            ["new_marks"] = new JsonArray([.. updates.NewMarks.Select(e => (JsonNode?)new JsonObject
            {
                ["file"] = e.FilePath,
                ["agent"] = e.WorkerId,
                ["task"] = e.TaskId,
                ["reason"] = e.Reason,
                ["marked_at"] = e.Timestamp,
            })]),
            ["removed_marks"] = new JsonArray([.. updates.RemovedMarks.Select(e => (JsonNode?)new JsonObject
            {
                ["file"] = e.FilePath,
                ["agent"] = e.WorkerId,
                ["task"] = e.TaskId,
                ["reason"] = e.Reason,
                ["removed_at"] = e.Timestamp,
            })]),
            ["sequence"] = updates.Sequence,
        });
    }

    private static JsonObject Mark(MarkRecord m, long now) => new()
    {
        ["file"] = m.File,
        ["is_lock"] = m.IsLock,
        ["agent"] = m.Agent,
        ["task_id"] = m.TaskId,
        ["reason"] = m.Reason,
        ["marked_at"] = m.MarkedAt,
        ["mark_age_ms"] = now - m.MarkedAt,
    };
}
