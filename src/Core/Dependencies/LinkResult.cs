using TaskGraph.Core.Records;

namespace TaskGraph.Core.Dependencies;

/// <summary>What link created, and the pairs that warned or failed.</summary>
public sealed record LinkResult(IReadOnlyList<DependencyEdge> Created, IReadOnlyList<LinkIssue> Warnings, IReadOnlyList<LinkIssue> Errors, string Type);
