using TaskGraph.Core.Records;

namespace TaskGraph.Core.Dependencies;

/// <summary>What relink moved; on failure nothing changed and <see cref="Error"/> says why.</summary>
public sealed record RelinkResult(bool Success, IReadOnlyList<DependencyEdge> Unlinked, IReadOnlyList<DependencyEdge> Linked, string Type, string? Error);
