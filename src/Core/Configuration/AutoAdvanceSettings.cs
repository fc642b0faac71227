namespace TaskGraph.Core.Configuration;

/// <summary>When a blocker completes, move newly unblocked tasks to <see cref="TargetState"/>.</summary>
public sealed record AutoAdvanceSettings
{
    /// <summary>Off by default.</summary>
    public bool Enabled { get; init; }

    /// <summary>The state to advance to.</summary>
    public string? TargetState { get; init; }
}
