namespace TaskGraph.Node.Skills;

/// <summary>
/// One skill: a markdown guide for agents on using TaskGraph for a purpose. <see cref="Name"/> is the short name
/// (<c>basics</c>); <see cref="FullName"/> the directory name it ships or is overridden under (<c>task-graph-basics</c>).
/// </summary>
public sealed record Skill(
    string Name,
    string FullName,
    string Role,
    string Description,
    string Content,
    bool Overridden,
    string Source)
{
    /// <summary>The MIME type of every skill's content.</summary>
    public const string MimeType = "text/markdown";

    /// <summary>The source of a built-in skill nobody overrode.</summary>
    public const string Embedded = "embedded";

    /// <summary>The source of a skill read from <c>server.skills_dir</c>.</summary>
    public const string Local = "local";
}
