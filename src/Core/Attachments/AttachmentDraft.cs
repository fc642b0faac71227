namespace TaskGraph.Core.Attachments;

/// <summary>
/// An attachment about to be added to a task, its content already stored (<see cref="ContentKey"/>) or a file reference:
/// the task's write gives it its sequence, and with <see cref="Replace"/> drops the task's other attachments of its type.
/// </summary>
public sealed record AttachmentDraft
{
    /// <summary>The attachment type.</summary>
    public required string Type { get; init; }

    /// <summary>A name, if given.</summary>
    public string? Name { get; init; }

    /// <summary>The MIME type (already defaulted and checked).</summary>
    public required string MimeType { get; init; }

    /// <summary>True: the task's other attachments of this type go; false: appended.</summary>
    public bool Replace { get; init; }

    /// <summary>The content record's key, or null for a file reference.</summary>
    public string? ContentKey { get; init; }

    /// <summary>The referenced file, when there is no content.</summary>
    public string? FilePath { get; init; }

    /// <summary>The blob holding the content, when it is kept as one.</summary>
    public string? BlobName { get; init; }

    /// <summary>Content length in UTF-8 bytes.</summary>
    public long Size { get; init; }

    /// <summary>Who attaches it.</summary>
    public string? By { get; init; }
}
