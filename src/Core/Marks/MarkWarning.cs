namespace TaskGraph.Core.Marks;

/// <summary>An advisory mark held by someone else: the file stays theirs; the caller is warned.</summary>
public sealed record MarkWarning(string File, string MarkedBy, string? Reason, string? TaskId);
