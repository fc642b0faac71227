namespace TaskGraph.Core.Attachments;

/// <summary>Attachments whose content is stored and that a task's write may now list, with the type-policy warnings.</summary>
public sealed record PreparedAttachments(IReadOnlyList<AttachmentDraft> Drafts, IReadOnlyList<string> Warnings)
{
    /// <summary>Nothing to attach.</summary>
    public static PreparedAttachments None { get; } = new([], []);
}
