using System.ComponentModel;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using TaskGraph.Node.Configuration;
using TaskGraph.Node.Mcp;
using TaskGraph.Node.Mcp.Rendering;

namespace TaskGraph.Node.Tools;

/// <summary>Tools that describe the node's configuration.</summary>
[McpServerToolType]
internal sealed class DiagnosticsTools(NodeConfig config)
{
    /// <summary>The workflows and overlays this node knows, sorted by name.</summary>
    [McpServerTool(Name = "list_workflows", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("List the workflows (state machines with prompts) and overlays available on this node. "
        + "Pass a workflow name to connect(workflow=...) to use it.")]
    public CallToolResult ListWorkflows(
        [Description("Optional: only entries whose name contains this text (case-insensitive).")] string? filter = null)
    {
        var loaded = config.Loaded;
        var needle = Args.OptionalString(filter, "filter", 200);
        var workflows = Entries(loaded.WorkflowFiles, needle);
        return ToolResults.Json(new WorkflowList(workflows.Count, workflows, Entries(loaded.Overlays, needle)));
    }

    private static List<WorkflowEntry> Entries(IReadOnlyDictionary<string, ConfigDescriptor> source, string? needle) =>
    [
        .. source.Values
            .Where(d => needle is null || d.Name.Contains(needle, StringComparison.OrdinalIgnoreCase))
            .OrderBy(d => d.Name, StringComparer.Ordinal)
            .Select(d => new WorkflowEntry(d.Name, d.Description)),
    ];

    private sealed record WorkflowEntry(string Name, string? Description);

    private sealed record WorkflowList(int Count, IReadOnlyList<WorkflowEntry> Workflows, IReadOnlyList<WorkflowEntry> Overlays);
}
