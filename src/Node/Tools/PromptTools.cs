using System.ComponentModel;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using TaskGraph.Core.Runtime;
using TaskGraph.Core.Workflows;
using TaskGraph.Node.Hosting;
using TaskGraph.Node.Mcp;
using TaskGraph.Node.Mcp.Rendering;

namespace TaskGraph.Node.Tools;

/// <summary>get_prompts: a workflow's prompt triggers, or the prompts entering a status (and phase) would give, before moving.</summary>
[McpServerToolType]
internal sealed class PromptTools(ServedGraphs served)
{
    private readonly GraphRuntime _graph = served.Current.Runtime;

    [McpServerTool(Name = "get_prompts", ReadOnly = true, OpenWorld = false)]
    [Description("Workflow guidance before you move. No status/phase: every prompt trigger. With status and/or phase: the prompts entering them gives, rendered for task and worker_id (whose workflow and role apply).")]
    public async Task<CallToolResult> GetPromptsAsync(
        [Description("Prompts of entering this status.")] string? status = null,
        [Description("Prompts of entering this phase.")] string? phase = null,
        [Description("Task whose values fill the templates.")] string? task = null,
        [Description("Worker whose workflow, role and values apply.")] string? worker_id = null,
        [Description("Alias of worker_id.")] string? agent = null,
        CancellationToken cancellationToken = default)
    {
        var workerId = Args.WorkerId(worker_id, agent, required: false);
        var worker = workerId is null ? null : await _graph.Workers.FindAsync(workerId, cancellationToken);
        var workflow = _graph.Config.Current.WorkflowFor(worker?.Workflow, worker?.Overlays);
        var statusName = Args.OptionalString(status, "status", 64);
        var phaseName = Args.OptionalString(phase, "phase", 200);
        if (statusName is null && phaseName is null)
        {
            var triggers = PromptPreview.Triggers(workflow);
            return ToolResults.Json(new JsonObject { ["workflow"] = workflow.Name, ["triggers"] = TaskJson.Strings(triggers), ["count"] = triggers.Count });
        }

        var target = statusName ?? workflow.Settings.InitialState;
        TransitionGuards.StateExists(workflow, target);
        var taskRecord = Args.OptionalString(task, "task", 200) is { } id ? await _graph.Tasks.GetAsync(id, cancellationToken) : null;
        var context = new PromptContext
        {
            TaskId = taskRecord?.Id,
            TaskTitle = taskRecord?.Title,
            TaskPriority = taskRecord?.Priority,
            TaskTags = taskRecord?.Tags ?? [],
            AgentId = worker?.Id,
            AgentTags = worker?.Tags ?? [],
        };
        var prompts = PromptPreview.Entering(workflow, target, phaseName, context, worker is null ? null : workflow.RoleFor(worker.Tags));
        return ToolResults.Json(new JsonObject
        {
            ["status"] = target,
            ["phase"] = phaseName,
            ["prompts"] = new JsonArray([.. prompts.Select(p => (JsonNode)new JsonObject { ["text"] = p.Text, ["source"] = p.Source })]),
            ["count"] = prompts.Count,
        });
    }
}
