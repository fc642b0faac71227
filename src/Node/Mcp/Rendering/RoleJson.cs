using System.Text.Json.Nodes;
using TaskGraph.Core.Workflows;

namespace TaskGraph.Node.Mcp.Rendering;

/// <summary>A worker's role as connect and the overlay tools answer it: <c>role{role, description?, max_claims?, can_assign?, can_create_subtasks?}</c> and <c>role_prompts</c>.</summary>
internal static class RoleJson
{
    /// <summary>Adds <c>role</c> and (when the role has any) <c>role_prompts</c> to <paramref name="o"/>; nothing without a role.</summary>
    public static void AddTo(JsonObject o, WorkflowDefinition workflow, RoleDefinition? role)
    {
        if (role is null)
        {
            return;
        }

        o["role"] = new JsonObject
        {
            ["role"] = role.Name,
            ["description"] = role.Description,
            ["max_claims"] = role.MaxClaims,
            ["can_assign"] = role.CanAssign,
            ["can_create_subtasks"] = role.CanCreateSubtasks,
        };
        var prompts = workflow.PromptsOf(role);
        if (prompts.Count > 0)
        {
            var map = new JsonObject();
            foreach (var (key, text) in prompts.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                map[key] = text;
            }

            o["role_prompts"] = map;
        }
    }
}
