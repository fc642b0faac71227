using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Queries;
using TaskGraph.Core.ReadModels;
using TaskGraph.Core.Runtime;
using TaskGraph.Node.Hosting;
using TaskGraph.Node.Mcp;
using TaskGraph.Node.Mcp.Rendering;

namespace TaskGraph.Node.Tools;

/// <summary>History tools: task_history and project_history, derived from the store's change log.</summary>
[McpServerToolType]
internal sealed class HistoryTools(ServedGraphs served)
{
    private readonly GraphRuntime _graph = served.Current.Runtime;

    [McpServerTool(Name = "task_history", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("A task's status transitions (who, when, why) and the time spent per status and per agent.")]
    public Task<CallToolResult> TaskHistoryAsync(
        [Description("Task id.")] string? task = null,
        [Description("Only transitions into these statuses (string or array).")][ArgShape(ArgShape.StringOrArray)] JsonElement? states = null)
    {
        var history = _graph.HistoryQueries.ForTask(Args.RequiredString(task, "task", 200), Args.StringOrArray(states, "states"), QueryScope.Everything);
        var o = new JsonObject
        {
            ["history"] = Rows(history.History),
            ["time_per_status_ms"] = Map(history.TimePerStatusMs),
            ["time_per_agent_ms"] = Map(history.TimePerAgentMs),
        };
        if (history.CurrentDurationMs is { } current)
        {
            o["current_duration_ms"] = current;
        }

        return Task.FromResult(ToolResults.Json(o));
    }

    [McpServerTool(Name = "project_history", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("All status transitions in a time window (newest first) with totals by status and by agent. "
        + "from/to accept epoch ms, RFC 3339, 'YYYY-MM-DD HH:MM:SS' or 'YYYY-MM-DD'.")]
    public Task<CallToolResult> ProjectHistoryAsync(
        [Description("Window start.")][ArgShape(ArgShape.Time)] JsonElement? from = null,
        [Description("Window end.")][ArgShape(ArgShape.Time)] JsonElement? to = null,
        [Description("Only transitions into these statuses (string or array).")][ArgShape(ArgShape.StringOrArray)] JsonElement? states = null,
        [Description("Most transitions to list (1..1000, default 100).")][Range(1, 1000)][DefaultValue(100)] int? limit = null)
    {
        var history = _graph.HistoryQueries.ForProject(ParseTime(from, "from"), ParseTime(to, "to"), Args.StringOrArray(states, "states"), limit, QueryScope.Everything);
        return Task.FromResult(ToolResults.Json(new JsonObject
        {
            ["time_range"] = new JsonObject { ["from_ms"] = history.FromMs, ["to_ms"] = history.ToMs },
            ["summary"] = new JsonObject
            {
                ["total_transitions"] = history.Summary.TotalTransitions,
                ["tasks_affected"] = history.Summary.TasksAffected,
                ["total_time_ms"] = history.Summary.TotalTimeMs,
            },
            ["transitions"] = Rows(history.Transitions),
            ["transitions_by_status"] = Map(history.TransitionsByStatus),
            ["time_by_status_ms"] = Map(history.TimeByStatusMs),
            ["transitions_by_agent"] = Map(history.TransitionsByAgent),
            ["time_by_agent_ms"] = Map(history.TimeByAgentMs),
        }));
    }

    /// <summary>Parses a time argument; an unparseable value is an error (task-graph-mcp silently ignored it).</summary>
    internal static long? ParseTime(JsonElement? value, string field)
    {
        if (value is null || value.Value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return null;
        }

        if (value.Value.ValueKind == JsonValueKind.Number && value.Value.TryGetInt64(out var ms))
        {
            return ms;
        }

        var text = Args.OptionalString(value, field, 64);
        if (text is null)
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out ms))
        {
            return ms;
        }

        string[] formats = ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-dd"];
        if (DateTime.TryParseExact(text, formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var exact))
        {
            return new DateTimeOffset(exact, TimeSpan.Zero).ToUnixTimeMilliseconds();
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            return parsed.ToUnixTimeMilliseconds();
        }

        throw TaskGraphException.Invalid(field, $"{field} must be epoch ms, RFC 3339, 'YYYY-MM-DD HH:MM:SS' or 'YYYY-MM-DD', got '{text}'");
    }

    private static JsonArray Rows(IEnumerable<StatusTransition> rows) => new([.. rows.Select(r => (JsonNode?)new JsonObject
    {
        ["id"] = r.Id,
        ["task_id"] = r.TaskId,
        ["worker_id"] = r.WorkerId,
        ["status"] = r.Status,
        ["reason"] = r.Reason,
        ["timestamp"] = r.Timestamp,
        ["end_timestamp"] = r.EndTimestamp,
    })]);

    private static JsonObject Map<T>(IReadOnlyDictionary<string, T> values)
    {
        var o = new JsonObject();
        foreach (var (key, value) in values.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            o[key] = JsonValue.Create(value);
        }

        return o;
    }
}
