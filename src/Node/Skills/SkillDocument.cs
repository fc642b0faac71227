using TaskGraph.Node.Configuration;

namespace TaskGraph.Node.Skills;

/// <summary>A <c>SKILL.md</c> file: optional YAML frontmatter (<c>name</c>, <c>description</c>, <c>role</c>) between <c>---</c> lines, then markdown.</summary>
internal sealed record SkillDocument(string? Name, string? Description, string? Role, string Text)
{
    /// <summary>Reads the frontmatter of <paramref name="text"/>; a missing or unreadable one leaves the fields null.</summary>
    public static SkillDocument Parse(string text)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        if (lines.Length == 0 || lines[0].TrimEnd() != "---")
        {
            return new SkillDocument(null, null, null, text);
        }

        var end = Array.FindIndex(lines, 1, l => l.TrimEnd() == "---");
        if (end < 0)
        {
            return new SkillDocument(null, null, null, text);
        }

        try
        {
            var tree = ConfigTree.Parse(string.Join('\n', lines[1..end]), "SKILL.md");
            return new SkillDocument(Field(tree, "name"), Field(tree, "description"), Field(tree, "role"), text);
        }
        catch (ConfigException)
        {
            // A custom skill with broken frontmatter is still served, just without its metadata.
            return new SkillDocument(null, null, null, text);
        }
    }

    private static string? Field(Dictionary<string, object?> tree, string key) =>
        tree.GetValueOrDefault(key) is ConfigScalar { Value: { Length: > 0 } value } ? value.Trim() : null;
}
