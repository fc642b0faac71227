using TaskGraph.Core.Errors;
using TaskGraph.Node.Configuration;

namespace TaskGraph.Node.Skills;

/// <summary>
/// The skills a node serves: the built-ins compiled into the node (<c>config/skills/&lt;name&gt;/SKILL.md</c>), each
/// overridden by <c>&lt;skills_dir&gt;/&lt;name&gt;/SKILL.md</c> or <c>&lt;skills_dir&gt;/task-graph-&lt;name&gt;/SKILL.md</c>,
/// plus the skills found only in <c>server.skills_dir</c>. The directory is read on every call (with the current
/// config), so an edited skill or a reloaded <c>skills_dir</c> shows at once.
/// </summary>
internal sealed class SkillCatalog(NodeConfig config)
{
    /// <summary>The optional prefix of skill names (<c>task-graph-basics</c> is <c>basics</c>).</summary>
    public const string Prefix = "task-graph-";

    private const string FileName = "SKILL.md";
    private const int MaxNameLength = 64;

    private static readonly Lazy<IReadOnlyList<BuiltIn>> BuiltIns = new(LoadBuiltIns);

    /// <summary>Every skill without duplicates: the built-ins (or their overrides), then local ones, each by name.</summary>
    public IReadOnlyList<Skill> List()
    {
        var skills = BuiltIns.Value.Select(b => Resolve(b.Name) ?? b.Skill).ToList();
        var dir = Directory();
        if (dir is null || !System.IO.Directory.Exists(dir))
        {
            return skills;
        }

        var custom = new SortedDictionary<string, Skill>(StringComparer.Ordinal);
        foreach (var path in System.IO.Directory.EnumerateDirectories(dir))
        {
            var folder = Path.GetFileName(path);
            var name = Short(folder);
            if (!IsValid(folder) || name.Length == 0 || custom.ContainsKey(name) || BuiltIns.Value.Any(b => b.Name == name))
            {
                continue;
            }

            if (Resolve(name) is { } skill)
            {
                custom[name] = skill;
            }
        }

        return [.. skills, .. custom.Values];
    }

    /// <summary>The skill called <paramref name="name"/> (prefix optional): INVALID_FIELD_VALUE for a malformed name, SKILL_NOT_FOUND for an unknown one.</summary>
    public Skill Get(string name)
    {
        if (!IsValid(name))
        {
            throw TaskGraphException.Invalid("name", $"name must be 1 to {MaxNameLength} letters, digits, '-' or '_'");
        }

        return Find(name)
            ?? throw new TaskGraphException(ErrorCodes.SkillNotFound, $"Skill not found: {name}. Available skills: {string.Join(", ", List().Select(s => s.Name))}")
            {
                Field = "name",
                Suggestion = "Call list_skills() for the skills this node has.",
            };
    }

    /// <summary>The skill called <paramref name="name"/> (prefix optional), else null (also for a malformed name).</summary>
    public Skill? Find(string name) => IsValid(name) && Short(name) is { Length: > 0 } shortName
        ? Resolve(shortName) ?? BuiltIns.Value.FirstOrDefault(b => b.Name == shortName)?.Skill
        : null;

    /// <summary>True for a name a skill may have: 1..64 of <c>[A-Za-z0-9_-]</c> (so never a path).</summary>
    public static bool IsValid(string? name) =>
        name is { Length: > 0 and <= MaxNameLength } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static string Short(string name) => name.StartsWith(Prefix, StringComparison.Ordinal) ? name[Prefix.Length..] : name;

    /// <summary>The local skill of that short name (<c>task-graph-&lt;name&gt;</c> first, then <c>&lt;name&gt;</c>), else null.</summary>
    private Skill? Resolve(string name)
    {
        if (Directory() is not { } dir)
        {
            return null;
        }

        foreach (var folder in new[] { Prefix + name, name })
        {
            if (folder.Length > MaxNameLength || Read(Path.Combine(dir, folder, FileName)) is not { } text)
            {
                continue;
            }

            var document = SkillDocument.Parse(text);
            var builtIn = BuiltIns.Value.FirstOrDefault(b => b.Name == name);
            return builtIn is not null
                ? new Skill(name, builtIn.Skill.FullName, document.Role ?? builtIn.Skill.Role, document.Description ?? builtIn.Skill.Description, text, Overridden: true, Skill.Local)
                : new Skill(name, folder, document.Role ?? "custom", document.Description ?? "Custom skill", text, Overridden: false, Skill.Local);
        }

        return null;
    }

    private string? Directory()
    {
        var loaded = config.Loaded;
        var configured = loaded.Config.Server.SkillsDir;
        return string.IsNullOrWhiteSpace(configured) ? null : Path.GetFullPath(configured, loaded.ProjectDirectory);
    }

    private static string? Read(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // An unreadable override must not hide the built-in skill.
            return null;
        }
    }

    private static List<BuiltIn> LoadBuiltIns()
    {
        var assembly = typeof(SkillCatalog).Assembly;
        var builtIns = new List<BuiltIn>();
        foreach (var resource in assembly.GetManifestResourceNames().Order(StringComparer.Ordinal))
        {
            // skills/<name>/SKILL.md (the csproj's LogicalName; the separator is the build machine's).
            var parts = resource.Replace('\\', '/').Split('/');
            if (parts is not ["skills", var name, FileName])
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            var text = reader.ReadToEnd();
            var document = SkillDocument.Parse(text);
            builtIns.Add(new BuiltIn(name, new Skill(name, Prefix + name, document.Role ?? name, document.Description ?? name, text, Overridden: false, Skill.Embedded)));
        }

        return builtIns;
    }

    private sealed record BuiltIn(string Name, Skill Skill);
}
