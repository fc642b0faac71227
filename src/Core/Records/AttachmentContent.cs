namespace TaskGraph.Core.Records;

/// <summary>An attachment's content, a record of its own (<see cref="Storage.RecordKeys.Attachment"/>), written before its task lists it.</summary>
public sealed record AttachmentContent
{
    /// <summary>The task it was attached to (when written).</summary>
    public required string TaskId { get; init; }

    /// <summary>The attachment type.</summary>
    public required string Type { get; init; }

    /// <summary>The text.</summary>
    public required string Content { get; init; }
}
