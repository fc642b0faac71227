using TaskGraph.Core.Records;

namespace TaskGraph.Core.Dependencies;

/// <summary>What unlink removed.</summary>
public sealed record UnlinkResult(IReadOnlyList<DependencyEdge> Removed, IReadOnlyList<LinkIssue> Errors);
