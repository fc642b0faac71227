using TaskGraph.Core.Records;

namespace TaskGraph.Core.Attachments;

/// <summary>What one attach added to one task, and the type-policy warnings.</summary>
public sealed record AttachResult(string TaskId, AttachmentMeta Added, IReadOnlyList<string> Warnings);
