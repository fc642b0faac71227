using TaskGraph.Core.Records;

namespace TaskGraph.Core.Attachments;

/// <summary>An attachment of a task as <c>attachments</c> lists it; <see cref="Content"/> only when asked for.</summary>
public sealed record AttachmentView(string TaskId, AttachmentMeta Meta, string? Content);
