namespace TaskGraph.Core.Workflows;

/// <summary>One workflow state: where it may go, whether time accrues in it, and its transition prompts.</summary>
public sealed record StateDefinition
{
    /// <summary>States this one may move to; none makes it terminal.</summary>
    public IReadOnlyList<string> Exits { get; init; } = [];

    /// <summary>Time accrues and ownership is a claim while in this state.</summary>
    public bool Timed { get; init; }

    /// <summary>Prompt shown on entering the state.</summary>
    public string? EnterPrompt { get; init; }

    /// <summary>Prompt shown on leaving the state.</summary>
    public string? ExitPrompt { get; init; }
}
