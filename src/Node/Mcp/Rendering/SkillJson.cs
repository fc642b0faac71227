using System.Text.Json.Nodes;
using TaskGraph.Node.Skills;

namespace TaskGraph.Node.Mcp.Rendering;

/// <summary>The JSON of a skill, shared by the skill tools and the <c>docs://skills/</c> resources.</summary>
public static class SkillJson
{
    /// <summary>A skill without its content (lists), with its resource URI when <paramref name="uri"/> is given.</summary>
    public static JsonObject Entry(Skill skill, string? uri = null)
    {
        ArgumentNullException.ThrowIfNull(skill);
        var o = new JsonObject
        {
            ["name"] = skill.Name,
            ["full_name"] = skill.FullName,
            ["role"] = skill.Role,
            ["description"] = skill.Description,
            ["mime_type"] = Skill.MimeType,
            ["overridden"] = skill.Overridden,
            ["source"] = skill.Source,
        };
        if (uri is not null)
        {
            o["uri"] = uri;
        }

        return o;
    }

    /// <summary>A skill with its content.</summary>
    public static JsonObject Body(Skill skill)
    {
        ArgumentNullException.ThrowIfNull(skill);
        return new JsonObject
        {
            ["name"] = skill.Name,
            ["full_name"] = skill.FullName,
            ["role"] = skill.Role,
            ["description"] = skill.Description,
            ["content"] = skill.Content,
            ["mime_type"] = Skill.MimeType,
            ["overridden"] = skill.Overridden,
            ["source"] = skill.Source,
        };
    }
}
