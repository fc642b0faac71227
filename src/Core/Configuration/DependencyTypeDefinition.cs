namespace TaskGraph.Core.Configuration;

/// <summary>A dependency type: how it is drawn and what it blocks.</summary>
public sealed record DependencyTypeDefinition
{
    /// <summary>horizontal (peer ordering) or vertical (parent/child; single parent).</summary>
    public string Display { get; init; } = "horizontal";

    /// <summary>none, start (the target cannot start until the source is done) or completion (the source cannot complete until the target is done).</summary>
    public string Blocks { get; init; } = "none";

    /// <summary>True for vertical (parent/child) types.</summary>
    public bool IsVertical => Display == "vertical";

    /// <summary>True when the source must be done before the target can start.</summary>
    public bool BlocksStart => Blocks == "start";

    /// <summary>The built-in dependency types.</summary>
    public static IReadOnlyDictionary<string, DependencyTypeDefinition> Defaults() => new Dictionary<string, DependencyTypeDefinition>
    {
        ["blocks"] = new() { Display = "horizontal", Blocks = "start" },
        ["follows"] = new() { Display = "horizontal", Blocks = "start" },
        ["contains"] = new() { Display = "vertical", Blocks = "completion" },
        ["duplicate"] = new() { Display = "horizontal", Blocks = "none" },
        ["see-also"] = new() { Display = "horizontal", Blocks = "none" },
        ["relates-to"] = new() { Display = "horizontal", Blocks = "none" },
    };
}
