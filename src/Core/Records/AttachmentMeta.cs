namespace TaskGraph.Core.Records;

/// <summary>
/// One attachment as its task records it: type, sequence within the type (from 0), name, MIME type, size, when and by whom,
/// and where its content lives (a content record, or a file path). Kept in the task record, so a gate check reads no
/// more than the task, and a rename carries its attachments along.
/// </summary>
public sealed record AttachmentMeta
{
    /// <summary>The attachment type (for example <c>note</c>, <c>commit</c>, <c>gate/tests</c>).</summary>
    public required string Type { get; init; }

    /// <summary>Position within the task's attachments of this type, from 0.</summary>
    public required int Sequence { get; init; }

    /// <summary>A name, if given.</summary>
    public string? Name { get; init; }

    /// <summary>The MIME type.</summary>
    public required string MimeType { get; init; }

    /// <summary>Content length in UTF-8 bytes (0 for a file reference).</summary>
    public long Size { get; init; }

    /// <summary>
    /// The key of the content record; for a text blob, of the record holding its first
    /// <see cref="Attachments.AttachmentContents.MaxContentBytes"/> for search; null for a file reference or a binary blob.
    /// </summary>
    public string? ContentKey { get; init; }

    /// <summary>
    /// The blob (<see cref="Storage.IBlobStore"/>) holding the content, for content over
    /// <see cref="Attachments.AttachmentContents.MaxContentBytes"/> or stored <c>store_as_file</c>; null otherwise.
    /// </summary>
    public string? BlobName { get; init; }

    /// <summary>The file the attachment points to, instead of content.</summary>
    public string? FilePath { get; init; }

    /// <summary>When it was attached (epoch ms).</summary>
    public long CreatedAt { get; init; }

    /// <summary>Who attached it.</summary>
    public string? By { get; init; }
}
