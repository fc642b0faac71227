namespace TaskGraph.Core.Configuration;

/// <summary>The <c>tags</c> config block.</summary>
public sealed record TagSettings
{
    /// <summary>What an unknown tag does: allow, warn or reject.</summary>
    public string UnknownTag { get; init; } = "allow";

    /// <summary>Known tags: name to category.</summary>
    public IReadOnlyDictionary<string, string?> Definitions { get; init; } = new Dictionary<string, string?>();

    /// <summary>The tags of the workflows' and overlays' roles: known too, though they do not turn the tag check on.</summary>
    public IReadOnlySet<string> RoleTags { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>True when <paramref name="tag"/> is defined or a role's tag.</summary>
    public bool IsKnown(string tag) => Definitions.ContainsKey(tag) || RoleTags.Contains(tag);

    /// <summary>Every known tag, sorted.</summary>
    public IReadOnlyList<string> Known => [.. Definitions.Keys.Union(RoleTags, StringComparer.Ordinal).Order(StringComparer.Ordinal)];
}
