using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using TaskGraph.Core.Runtime;
using TaskGraph.Node.Hosting;
using TaskGraph.Node.Mcp;
using TaskGraph.Node.Mcp.Rendering;

namespace TaskGraph.Node.Tools;

/// <summary>Cost and metric tools: log_metrics adds to a task's cost and eight metric slots, get_metrics sums them.</summary>
[McpServerToolType]
internal sealed class MetricsTools(ServedGraphs served)
{
    private readonly GraphRuntime _graph = served.Current.Runtime;

    [McpServerTool(Name = "log_metrics", Destructive = false, Idempotent = false, OpenWorld = false)]
    [Description("Add cost (USD) and up to 8 metric values (slot i += values[i]) to a task.")]
    public async Task<CallToolResult> LogMetricsAsync(
        [Description("Your worker id.")] string? agent = null,
        [Description("Task id.")] string? task = null,
        [Description("Cost to add, in USD.")][ArgShape(ArgShape.Number)] JsonElement? cost_usd = null,
        [Description("Values to add, slot by slot (at most 8).")][ArgShape(ArgShape.IntegerArray)] JsonElement? values = null,
        [Description("Alias of agent.")] string? worker_id = null,
        CancellationToken cancellationToken = default)
    {
        var after = await _graph.Accounting.LogAsync(
            Args.RequiredString(task, "task", 200),
            Args.WorkerId(agent, worker_id),
            Args.Number(cost_usd, "cost_usd"),
            Args.NonNegativeIntegers(values, "values"),
            cancellationToken);
        return ToolResults.Json(new JsonObject
        {
            ["success"] = true,
            ["cost_usd"] = after.CostUsd,
            ["metrics"] = new JsonArray([.. after.Metrics.Select(m => (JsonNode)m)]),
        });
    }

    [McpServerTool(Name = "get_metrics", ReadOnly = true, OpenWorld = false)]
    [Description("Cost and the 8 metric slots of a task, or summed over several.")]
    public async Task<CallToolResult> GetMetricsAsync(
        [Description("Task id(s) (string or array).")][ArgShape(ArgShape.StringOrArray)] JsonElement? task = null,
        CancellationToken cancellationToken = default)
    {
        var ids = Args.StringOrArray(task, "task", required: true);
        var total = await _graph.Accounting.GetAsync(ids, cancellationToken);
        var metrics = new JsonArray([.. total.Metrics.Select(m => (JsonNode)m)]);
        return ToolResults.Json(ids.Count == 1
            ? new JsonObject { ["task"] = total.TaskIds[0], ["cost_usd"] = total.CostUsd, ["metrics"] = metrics }
            : new JsonObject
            {
                ["tasks"] = new JsonArray([.. total.TaskIds.Select(t => (JsonNode)t)]),
                ["task_count"] = total.TaskIds.Count,
                ["cost_usd"] = total.CostUsd,
                ["metrics"] = metrics,
            });
    }
}
