namespace TaskGraph.Core.ReadModels;

/// <summary>One full-text match: bm25 score (lower is better) and highlighted snippets.</summary>
public sealed record SearchHit(
    string TaskId,
    string Title,
    string? Description,
    string Status,
    double Score,
    string TitleSnippet,
    string DescriptionSnippet,
    string? AttachmentSnippet = null);
