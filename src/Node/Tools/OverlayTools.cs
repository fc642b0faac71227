using System.ComponentModel;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using TaskGraph.Core.Runtime;
using TaskGraph.Core.Workers;
using TaskGraph.Node.Hosting;
using TaskGraph.Node.Mcp;
using TaskGraph.Node.Mcp.Rendering;

namespace TaskGraph.Node.Tools;

/// <summary>add_overlay and remove_overlay: a worker's overlays on its workflow, with the diff they make.</summary>
[McpServerToolType]
internal sealed class OverlayTools(ServedGraphs served)
{
    private readonly GraphRuntime _graph = served.Current.Runtime;

    [McpServerTool(Name = "add_overlay", Destructive = false, Idempotent = false, OpenWorld = false)]
    [Description("Lay an overlay (see list_workflows) over your workflow; answers what it adds.")]
    public async Task<CallToolResult> AddOverlayAsync(
        [Description("Your worker id.")] string? worker_id = null,
        [Description("Overlay name.")] string? overlay = null,
        [Description("Alias of worker_id.")] string? agent = null,
        CancellationToken cancellationToken = default) =>
        Answer(await _graph.Workers.ChangeOverlayAsync(Args.WorkerId(worker_id, agent)!, Args.RequiredString(overlay, "overlay", 200), add: true, cancellationToken));

    [McpServerTool(Name = "remove_overlay", Destructive = false, Idempotent = false, OpenWorld = false)]
    [Description("Remove one of your overlays; answers what it had added.")]
    public async Task<CallToolResult> RemoveOverlayAsync(
        [Description("Your worker id.")] string? worker_id = null,
        [Description("Overlay name.")] string? overlay = null,
        [Description("Alias of worker_id.")] string? agent = null,
        CancellationToken cancellationToken = default) =>
        Answer(await _graph.Workers.ChangeOverlayAsync(Args.WorkerId(worker_id, agent)!, Args.RequiredString(overlay, "overlay", 200), add: false, cancellationToken));

    private static CallToolResult Answer(OverlayChange change)
    {
        var exits = new JsonObject();
        foreach (var (state, added) in change.Diff.ExitsAdded)
        {
            exits[state] = TaskJson.Strings(added);
        }

        var o = new JsonObject
        {
            ["success"] = true,
            ["worker_id"] = change.WorkerId,
            ["overlays"] = TaskJson.Strings(change.Overlays),
            ["overlay_diff"] = new JsonObject
            {
                ["states_added"] = TaskJson.Strings(change.Diff.StatesAdded),
                ["exits_added"] = exits,
                ["gates_added"] = TaskJson.Strings(change.Diff.GatesAdded),
                ["prompts_modified"] = TaskJson.Strings(change.Diff.PromptsModified),
            },
        };
        if (change.Workflow is { } workflow)
        {
            RoleJson.AddTo(o, workflow, change.Role);
        }

        return ToolResults.Json(o);
    }
}
