namespace TaskGraph.Core.Attachments;

/// <summary>One attachment as a caller asks for it: a type and content (or a file), with optional name, MIME type and mode.</summary>
public sealed record AttachmentInput
{
    /// <summary>The attachment type.</summary>
    public required string Type { get; init; }

    /// <summary>The text to attach.</summary>
    public string? Content { get; init; }

    /// <summary>A file to reference instead of content (it must exist).</summary>
    public string? File { get; init; }

    /// <summary>A name.</summary>
    public string? Name { get; init; }

    /// <summary>The MIME type (default: the type's, else text/plain).</summary>
    public string? Mime { get; init; }

    /// <summary>append or replace (default: the type's, else append).</summary>
    public string? Mode { get; init; }

    /// <summary>Keep the content (or the file's bytes) as a blob: the media directory standalone, the object store on NATS.</summary>
    public bool StoreAsFile { get; init; }
}
