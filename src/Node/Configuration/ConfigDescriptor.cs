namespace TaskGraph.Node.Configuration;

/// <summary>A named, described config file that is not the main config: an overlay or a workflow, with its raw tree.</summary>
public sealed record ConfigDescriptor(string Name, string? Description, IReadOnlyDictionary<string, object?> Raw);
