using TaskGraph.Core.ReadModels;

namespace TaskGraph.Core.Queries;

/// <summary>A page of search hits and the paging it was asked with.</summary>
public sealed record SearchResults(SearchPage Page, int Limit, int Offset);
