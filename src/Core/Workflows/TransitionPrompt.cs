namespace TaskGraph.Core.Workflows;

/// <summary>
/// One transition prompt as an answer carries it: the rendered text and where it came from, e.g.
/// <c>workflow:enter~working</c>, <c>workflow:exit%design</c>, <c>workflow:enter~working%implement</c>.
/// </summary>
public sealed record TransitionPrompt(string Text, string Source);
