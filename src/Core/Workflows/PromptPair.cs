namespace TaskGraph.Core.Workflows;

/// <summary>The prompts of entering and of leaving a phase, or a status and phase combination (<c>combos</c>).</summary>
public sealed record PromptPair(string? Enter, string? Exit);
