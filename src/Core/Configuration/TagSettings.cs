namespace TaskGraph.Core.Configuration;

/// <summary>The <c>tags</c> config block.</summary>
public sealed record TagSettings
{
    /// <summary>What an unknown tag does: allow, warn or reject.</summary>
    public string UnknownTag { get; init; } = "allow";

    /// <summary>Known tags: name to category.</summary>
    public IReadOnlyDictionary<string, string?> Definitions { get; init; } = new Dictionary<string, string?>();
}
