using System.ComponentModel;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using TaskGraph.Core.Runtime;
using TaskGraph.Node.Hosting;
using TaskGraph.Node.Mcp;
using TaskGraph.Node.Mcp.Rendering;

namespace TaskGraph.Node.Tools;

/// <summary>status_summary: the graph, or one task's subtree, at a glance, from the read model.</summary>
[McpServerToolType]
internal sealed class SummaryTools(ServedGraphs served)
{
    private readonly GraphRuntime _graph = served.Current.Runtime;

    [McpServerTool(Name = "status_summary", ReadOnly = true, OpenWorld = false)]
    [Description("Counts at a glance: tasks per status and phase, ready, blocked, claimed, points total/done, cost, time, workers. parent: only that task's subtree.")]
    public CallToolResult StatusSummary(
        [Description("Only this task's descendants.")] string? parent = null)
    {
        var s = _graph.TaskQueries.Summary(Args.OptionalString(parent, "parent", 200));
        var byStatus = new JsonObject();
        foreach (var (status, count) in s.ByStatus)
        {
            byStatus[status] = count;
        }

        var byPhase = new JsonObject();
        foreach (var (phase, count) in s.ByPhase)
        {
            byPhase[phase] = count;
        }

        return ToolResults.Json(new JsonObject
        {
            ["total"] = s.Total,
            ["by_status"] = byStatus,
            ["by_phase"] = s.ByPhase.Count == 0 ? null : byPhase,
            ["ready"] = s.Ready,
            ["blocked"] = s.Blocked,
            ["claimed"] = s.Claimed,
            ["points"] = new JsonObject { ["total"] = s.PointsTotal, ["done"] = s.PointsDone },
            ["cost_usd"] = s.CostUsd,
            ["time_actual_ms"] = s.TimeActualMs,
            ["workers"] = s.Workers,
        });
    }
}
