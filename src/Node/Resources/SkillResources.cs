using System.ComponentModel;
using System.Text.Json.Nodes;
using ModelContextProtocol.Server;
using TaskGraph.Node.Configuration;
using TaskGraph.Node.Mcp.Rendering;
using TaskGraph.Node.Skills;

namespace TaskGraph.Node.Resources;

/// <summary>The skills as <c>docs://</c> resources: the same as <c>list_skills</c> and <c>get_skill</c>, for clients that browse resources.</summary>
[McpServerResourceType]
internal sealed class SkillResources(NodeConfig config)
{
    /// <summary>A skill's resource URI.</summary>
    public static string Uri(string name) => $"docs://skills/{name}";

    [McpServerResource(UriTemplate = "docs://skills/list", Name = "skills-list", MimeType = "application/json")]
    [Description("Every skill (built in, overridden or local), without content.")]
    public string List()
    {
        var skills = new SkillCatalog(config).List();
        return ResourceJson.Serialize(new JsonObject
        {
            ["skills"] = new JsonArray([.. skills.Select(s => (JsonNode)SkillJson.Entry(s, Uri(s.Name)))]),
            ["count"] = skills.Count,
        });
    }

    [McpServerResource(UriTemplate = "docs://skills/{name}", Name = "skill", MimeType = "application/json")]
    [Description("One skill with its markdown content.")]
    public string Get(string name) =>
        ResourceJson.Serialize(SkillJson.Body(new SkillCatalog(config).Find(name) ?? throw UnknownResource.For(Uri(name))));
}
