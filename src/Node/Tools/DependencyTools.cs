using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using TaskGraph.Core.Dependencies;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Records;
using TaskGraph.Core.Runtime;
using TaskGraph.Node.Hosting;
using TaskGraph.Node.Mcp;
using TaskGraph.Node.Mcp.Rendering;

namespace TaskGraph.Node.Tools;

/// <summary>Dependency tools: link, unlink, relink.</summary>
[McpServerToolType]
internal sealed class DependencyTools(ServedGraphs served)
{
    private readonly GraphRuntime _graph = served.Current.Runtime;

    [McpServerTool(Name = "link", Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Add dependencies from every 'from' to every 'to'. blocks/follows: 'to' waits for 'from'. contains: 'from' is the parent (one per task). Cycles are refused.")]
    public async Task<CallToolResult> LinkAsync(
        [Description("Blocker or parent id(s).")][ArgShape(ArgShape.StringOrArray)] JsonElement? from = null,
        [Description("Blocked or child id(s).")][ArgShape(ArgShape.StringOrArray)] JsonElement? to = null,
        [Description("Dependency type (default blocks).")][DefaultValue("blocks")] string? type = null,
        [Description("Who (recorded).")] string? agent = null,
        [Description("Alias of agent.")] string? worker_id = null,
        CancellationToken cancellationToken = default)
    {
        var froms = Args.StringOrArray(from, "from", required: true, 200);
        var tos = Args.StringOrArray(to, "to", required: true, 200);
        var result = await _graph.Dependencies.LinkAsync(froms, tos, type ?? "blocks", worker_id ?? agent, cancellationToken);

        // A single pair that could not be linked is an error the agent must see as one.
        if (froms.Count == 1 && tos.Count == 1 && result.Created.Count == 0)
        {
            var problem = (result.Errors.Count > 0 ? result.Errors[0] : null) ?? result.Warnings.FirstOrDefault(w => w.Code is ErrorCodes.TaskNotFound or "DEPENDENCY_NOT_FOUND");
            if (problem is not null)
            {
                throw new TaskGraphException(problem.Code == "DEPENDENCY_NOT_FOUND" ? ErrorCodes.TaskNotFound : problem.Code, problem.Message)
                {
                    Field = problem.Field ?? "to",
                    Details = new Dictionary<string, object?> { ["from"] = problem.From, ["to"] = problem.To, ["type"] = result.Type },
                };
            }
        }

        return ToolResults.Json(new JsonObject
        {
            ["success"] = result.Errors.Count == 0,
            ["created"] = Edges(result.Created),
            ["warnings"] = Issues(result.Warnings),
            ["errors"] = Issues(result.Errors),
            ["type"] = result.Type,
        });
    }

    [McpServerTool(Name = "unlink", Destructive = true, Idempotent = true, OpenWorld = false)]
    [Description("Remove dependencies of a type. to='*' removes all outgoing of that type from 'from'; from='*' removes all incoming to 'to'.")]
    public async Task<CallToolResult> UnlinkAsync(
        [Description("Source task id(s) or '*'.")][ArgShape(ArgShape.StringOrArray)] JsonElement? from = null,
        [Description("Target task id(s) or '*'.")][ArgShape(ArgShape.StringOrArray)] JsonElement? to = null,
        [Description("Dependency type (default 'blocks').")][DefaultValue("blocks")] string? type = null,
        [Description("Who unlinks (recorded).")] string? agent = null,
        CancellationToken cancellationToken = default)
    {
        var result = await _graph.Dependencies.UnlinkAsync(
            Args.StringOrArray(from, "from", required: true, 200), Args.StringOrArray(to, "to", required: true, 200), type ?? "blocks", agent, cancellationToken);
        return ToolResults.Json(new JsonObject
        {
            ["success"] = true,
            ["removed"] = Edges(result.Removed),
            ["removed_count"] = result.Removed.Count,
            ["errors"] = Issues(result.Errors),
        });
    }

    [McpServerTool(Name = "relink", Destructive = true, Idempotent = false, OpenWorld = false)]
    [Description("Atomically replace prev_from->prev_to with from->to (default type contains: re-parent). All or nothing.")]
    public async Task<CallToolResult> RelinkAsync(
        [Description("Previous source id(s).")][ArgShape(ArgShape.StringOrArray)] JsonElement? prev_from = null,
        [Description("Previous target id(s).")][ArgShape(ArgShape.StringOrArray)] JsonElement? prev_to = null,
        [Description("New source id(s).")][ArgShape(ArgShape.StringOrArray)] JsonElement? from = null,
        [Description("New target id(s).")][ArgShape(ArgShape.StringOrArray)] JsonElement? to = null,
        [Description("Dependency type (default 'contains').")][DefaultValue("contains")] string? type = null,
        [Description("Who (recorded).")] string? agent = null,
        CancellationToken cancellationToken = default)
    {
        var result = await _graph.Dependencies.RelinkAsync(
            Args.StringOrArray(prev_from, "prev_from", required: true, 200),
            Args.StringOrArray(prev_to, "prev_to", required: true, 200),
            Args.StringOrArray(from, "from", required: true, 200),
            Args.StringOrArray(to, "to", required: true, 200),
            type ?? _graph.Config.Current.ParentType,
            agent,
            cancellationToken);
        if (!result.Success)
        {
            return ToolResults.Json(new JsonObject { ["success"] = false, ["error"] = result.Error, ["type"] = result.Type });
        }

        return ToolResults.Json(new JsonObject
        {
            ["success"] = true,
            ["unlinked"] = Edges(result.Unlinked),
            ["unlinked_count"] = result.Unlinked.Count,
            ["linked"] = Edges(result.Linked),
            ["linked_count"] = result.Linked.Count,
            ["type"] = result.Type,
        });
    }

    private static JsonArray Edges(IEnumerable<DependencyEdge> edges) =>
        new([.. edges.Select(e => (JsonNode?)new JsonObject { ["from"] = e.From, ["to"] = e.To, ["type"] = e.Type })]);

    private static JsonArray Issues(IEnumerable<LinkIssue> issues) =>
        new([.. issues.Select(i => (JsonNode?)new JsonObject { ["code"] = i.Code, ["from"] = i.From, ["to"] = i.To, ["message"] = i.Message })]);
}
