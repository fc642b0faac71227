using System.Text.Json;

namespace TaskGraph.Node.Auth;

/// <summary>What a tool call needs: the permission its tool needs, plus those its arguments add.</summary>
public static class ToolPermissions
{
    /// <summary>The arguments that name the worker a call acts as (the primary name differs between tools).</summary>
    public static readonly IReadOnlyList<string> IdentityArguments = ["worker_id", "agent", "worker", "agent_id"];

    private static readonly Dictionary<string, string> ByTool = new(StringComparer.Ordinal)
    {
        ["get"] = Permission.Read,
        ["list_tasks"] = Permission.Read,
        ["scan"] = Permission.Read,
        ["search"] = Permission.Read,
        ["task_history"] = Permission.Read,
        ["project_history"] = Permission.Read,
        ["list_marks"] = Permission.Read,
        ["list_agents"] = Permission.Read,
        ["list_workflows"] = Permission.Read,
        ["wait_for_events"] = Permission.Read,
        ["connect"] = Permission.Connect,
        ["thinking"] = Permission.Connect,
        ["mark_file"] = Permission.Connect,
        ["unmark_file"] = Permission.Connect,
        ["mark_updates"] = Permission.Connect,
        ["disconnect"] = Permission.Connect,
        ["create"] = Permission.Create,
        ["create_tree"] = Permission.Create,
        ["claim"] = Permission.Claim,
        ["update"] = Permission.Update,
        ["delete"] = Permission.Delete,
        ["rename"] = Permission.Update,
        ["link"] = Permission.Update,
        ["unlink"] = Permission.Update,
        ["relink"] = Permission.Update,
        ["cleanup_stale"] = Permission.ManageAgents,
        ["get_metrics"] = Permission.Read,
        ["log_metrics"] = Permission.Connect,
        ["attachments"] = Permission.Read,
        ["check_gates"] = Permission.Read,
        ["attach"] = Permission.Connect,
        ["detach"] = Permission.Update,
        ["add_overlay"] = Permission.Connect,
        ["remove_overlay"] = Permission.Connect,
        ["query"] = Permission.Read,
        ["get_schema"] = Permission.Read,
        ["get_prompts"] = Permission.Read,
        ["status_summary"] = Permission.Read,
        ["bulk_update"] = Permission.Update,
        ["list_skills"] = Permission.Read,
        ["get_skill"] = Permission.Read,
        ["list_feedback"] = Permission.Read,

        // Feedback is a note for the node's operators, not a change to the graph: anyone who may act as a worker may give it.
        ["give_feedback"] = Permission.Connect,
    };

    /// <summary>The permission the tool itself needs; tools not in the table need <see cref="Permission.All"/> (admin).</summary>
    public static string Of(string tool) => ByTool.GetValueOrDefault(tool, Permission.All);

    /// <summary>The extra permissions the arguments ask for: <c>force=true</c> needs force (except connect's), <c>assignee</c> needs assign.</summary>
    public static IEnumerable<string> ExtraFor(string tool, IDictionary<string, JsonElement>? arguments)
    {
        if (arguments is null)
        {
            yield break;
        }

        // connect's force is a reconnect as yourself (a bound token can only be itself), not an override of someone else.
        if (tool != "connect" && arguments.TryGetValue("force", out var force) && force.ValueKind == JsonValueKind.True)
        {
            yield return Permission.Force;
        }

        if (tool is "update" or "bulk_update" && arguments.TryGetValue("assignee", out var assignee) && assignee.ValueKind == JsonValueKind.String)
        {
            yield return Permission.Assign;
        }

        // bulk_update's items are updates of their own: each one's force and assignee count as the call's.
        if (tool == "bulk_update" && arguments.TryGetValue("updates", out var updates) && updates.ValueKind == JsonValueKind.Array)
        {
            var items = updates.EnumerateArray().Where(u => u.ValueKind == JsonValueKind.Object).ToList();
            if (items.Any(u => u.TryGetProperty("force", out var f) && f.ValueKind == JsonValueKind.True))
            {
                yield return Permission.Force;
            }

            if (items.Any(u => u.TryGetProperty("assignee", out var a) && a.ValueKind == JsonValueKind.String))
            {
                yield return Permission.Assign;
            }
        }
    }
}
