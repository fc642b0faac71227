namespace TaskGraph.Core.Marks;

/// <summary>A mark removed by unmark_file.</summary>
public sealed record UnmarkedFile(string File, string Agent);
