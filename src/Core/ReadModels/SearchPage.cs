namespace TaskGraph.Core.ReadModels;

/// <summary>One page of search hits, best first, and whether more follow it.</summary>
public sealed record SearchPage(IReadOnlyList<SearchHit> Hits, bool HasMore);
