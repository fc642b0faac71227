using System.ComponentModel;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using TaskGraph.Node.Configuration;
using TaskGraph.Node.Mcp;
using TaskGraph.Node.Mcp.Rendering;
using TaskGraph.Node.Skills;

namespace TaskGraph.Node.Tools;

/// <summary>The skills: markdown guides on using TaskGraph for a purpose (built in, or from <c>server.skills_dir</c>).</summary>
[McpServerToolType]
internal sealed class SkillTools(NodeConfig config)
{
    private readonly SkillCatalog _skills = new(config);

    [McpServerTool(Name = "list_skills", ReadOnly = true, OpenWorld = false)]
    [Description("Skills: guides to using TaskGraph for a purpose (basics, reporting, migration, repair, local ones). Read one with get_skill.")]
    public CallToolResult ListSkills()
    {
        var skills = _skills.List();
        return ToolResults.Json(new JsonObject
        {
            ["skills"] = new JsonArray([.. skills.Select(s => (JsonNode)SkillJson.Entry(s))]),
            ["count"] = skills.Count,
        });
    }

    [McpServerTool(Name = "get_skill", ReadOnly = true, OpenWorld = false)]
    [Description("One skill's markdown.")]
    public CallToolResult GetSkill(
        [Description("Skill name (task-graph- prefix optional).")] string? name = null) =>
        ToolResults.Json(SkillJson.Body(_skills.Get(Args.RequiredString(name, "name", 200))));
}
