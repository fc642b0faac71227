namespace TaskGraph.Core.Workers;

/// <summary>Arguments of connect.</summary>
public sealed record ConnectRequest
{
    /// <summary>The id to register; generated when null.</summary>
    public string? WorkerId { get; init; }

    /// <summary>Capability tags.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>Replace an existing registration (keeps its claims).</summary>
    public bool Force { get; init; }

    /// <summary>Named workflow, stored verbatim.</summary>
    public string? Workflow { get; init; }

    /// <summary>Overlays, in order.</summary>
    public IReadOnlyList<string>? Overlays { get; init; }
}
