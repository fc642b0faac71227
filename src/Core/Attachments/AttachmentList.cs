using TaskGraph.Core.Errors;
using TaskGraph.Core.Records;

namespace TaskGraph.Core.Attachments;

/// <summary>
/// The pure edit of a task's attachment list: drafts get the next sequence of their type (from 0), a replacing draft
/// first drops the type's others; a list never grows past <see cref="MaxPerTask"/>.
/// </summary>
public static class AttachmentList
{
    /// <summary>Most attachments one task keeps (each is a line in the task record).</summary>
    public const int MaxPerTask = 500;

    /// <summary>The list after adding <paramref name="drafts"/> at <paramref name="nowMs"/>, what was added, and what was dropped.</summary>
    public static (IReadOnlyList<AttachmentMeta>? List, IReadOnlyList<AttachmentMeta> Added, IReadOnlyList<AttachmentMeta> Dropped) Add(
        IReadOnlyList<AttachmentMeta>? existing, IReadOnlyList<AttachmentDraft> drafts, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(drafts);
        var list = new List<AttachmentMeta>(existing ?? []);
        var added = new List<AttachmentMeta>();
        var dropped = new List<AttachmentMeta>();
        foreach (var draft in drafts)
        {
            if (draft.Replace)
            {
                dropped.AddRange(list.Where(a => a.Type == draft.Type));
                list.RemoveAll(a => a.Type == draft.Type);
            }

            var sequence = list.Where(a => a.Type == draft.Type).Select(a => a.Sequence + 1).DefaultIfEmpty(0).Max();
            var meta = new AttachmentMeta
            {
                Type = draft.Type,
                Sequence = sequence,
                Name = string.IsNullOrEmpty(draft.Name) ? null : draft.Name,
                MimeType = draft.MimeType,
                Size = draft.Size,
                ContentKey = draft.ContentKey,
                FilePath = draft.FilePath,
                BlobName = draft.BlobName,
                CreatedAt = nowMs,
                By = draft.By,
            };
            list.Add(meta);
            added.Add(meta);
        }

        if (list.Count > MaxPerTask)
        {
            throw TaskGraphException.Invalid("attachments", $"a task keeps at most {MaxPerTask} attachments; detach some or attach with mode=replace");
        }

        return (list.Count == 0 ? null : list, added, dropped);
    }

    /// <summary>The list without the attachments of <paramref name="type"/>, and those removed.</summary>
    public static (IReadOnlyList<AttachmentMeta>? List, IReadOnlyList<AttachmentMeta> Removed) Remove(IReadOnlyList<AttachmentMeta>? existing, string type)
    {
        var removed = (existing ?? []).Where(a => a.Type == type).ToList();
        var kept = (existing ?? []).Where(a => a.Type != type).ToList();
        return (kept.Count == 0 ? null : kept, removed);
    }
}
