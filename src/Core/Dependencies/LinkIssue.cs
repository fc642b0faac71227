namespace TaskGraph.Core.Dependencies;

/// <summary>A per-pair warning or error of link/unlink: a code, the pair and a message.</summary>
public sealed record LinkIssue(string Code, string From, string To, string Message, string? Field = null);
