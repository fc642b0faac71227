using TaskGraph.Core.Errors;
using TaskGraph.Core.Graph;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;

namespace TaskGraph.Core.Attachments;

/// <summary>
/// attach, attachments and detach. Content is stored first, in records of its own; then the task's attachment list is
/// changed by compare-and-swap (re-read and redone on a lost race, so concurrent attaches all land with distinct
/// sequences); a refused write forgets the stored content. Anyone may attach to a task, owned or not: an attachment is
/// evidence (a commit, test results), and gates read it. Deleted tasks take no attachments.
/// </summary>
public sealed class AttachmentService(GraphContext context, AttachmentContents contents)
{
    // Attachments commute with every other write; a crowd attaching to one task retries rather than answering CONFLICT.
    private const int ContendedAttempts = 256;

    /// <summary>The contents store (for the update path's inline attachments).</summary>
    public AttachmentContents Contents => contents;

    /// <summary>Attaches <paramref name="input"/> to each of <paramref name="taskIds"/>.</summary>
    public async Task<IReadOnlyList<AttachResult>> AttachAsync(IReadOnlyList<string> taskIds, AttachmentInput input, string? by, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(taskIds);
        if (taskIds.Count == 0)
        {
            throw new TaskGraphException(ErrorCodes.MissingRequiredField, "task is required") { Field = "task" };
        }

        var results = new List<AttachResult>();
        foreach (var taskId in taskIds.Select(t => Limits.Id(t, "task")).Distinct(StringComparer.Ordinal))
        {
            var prepared = await contents.PrepareAsync(taskId, [input], by, "type", cancellationToken).ConfigureAwait(false);
            try
            {
                var (added, dropped) = await EditAsync(
                    taskId,
                    ChangeKinds.Attach,
                    by,
                    (task, now) =>
                    {
                        var (list, add, drop) = AttachmentList.Add(task.Attachments, prepared.Drafts, now);
                        return (list, add, drop);
                    },
                    cancellationToken).ConfigureAwait(false);
                await contents.DeleteAsync(dropped).ConfigureAwait(false);
                results.Add(new AttachResult(taskId, added[0], prepared.Warnings));
            }
            catch (Exception ex) when (ex is not OperationCanceledException && ex is not TaskGraphException { Code: ErrorCodes.StoreUnavailable })
            {
                await contents.ForgetAsync(prepared.Drafts).ConfigureAwait(false);
                throw;
            }
        }

        return results;
    }

    /// <summary>The task's attachments (type glob with * and ?, MIME prefix), with their content when asked.</summary>
    public async Task<IReadOnlyList<AttachmentView>> ListAsync(string taskId, string? typeGlob, string? mimePrefix, bool withContent, CancellationToken cancellationToken = default)
    {
        Limits.Id(taskId, "task");
        var task = await context.Records.GetTaskAsync(taskId, cancellationToken).ConfigureAwait(false) ?? throw TaskGraphException.TaskNotFound(taskId);
        var matching = (task.Value.Attachments ?? [])
            .Where(a => typeGlob is null || Glob(typeGlob, a.Type))
            .Where(a => mimePrefix is null || a.MimeType.StartsWith(mimePrefix, StringComparison.OrdinalIgnoreCase))
            .OrderBy(a => a.Type, StringComparer.Ordinal).ThenBy(a => a.Sequence)
            .ToList();
        var views = new List<AttachmentView>(matching.Count);
        foreach (var meta in matching)
        {
            views.Add(new AttachmentView(taskId, meta, withContent ? await contents.ReadAsync(meta, cancellationToken).ConfigureAwait(false) : null));
        }

        return views;
    }

    /// <summary>Removes every attachment of <paramref name="type"/> from the task; returns how many, and how many of them were blobs (deleted with them).</summary>
    public async Task<(int Deleted, int BlobsDeleted)> DetachAsync(string taskId, string type, string? by, CancellationToken cancellationToken = default)
    {
        Limits.Id(taskId, "task");
        if (string.IsNullOrWhiteSpace(Limits.Text(type, "type", Limits.IdLength)))
        {
            throw new TaskGraphException(ErrorCodes.MissingRequiredField, "type is required") { Field = "type" };
        }

        var (_, removed) = await EditAsync(
            taskId,
            ChangeKinds.Detach,
            by,
            (task, _) =>
            {
                var (list, gone) = AttachmentList.Remove(task.Attachments, type);
                return (list, [], gone);
            },
            cancellationToken).ConfigureAwait(false);
        await contents.DeleteAsync(removed).ConfigureAwait(false);
        return (removed.Count, removed.Count(m => m.BlobName is not null));
    }

    /// <summary>True when <paramref name="glob"/> (<c>*</c> any run, <c>?</c> one character) matches all of <paramref name="text"/>.</summary>
    public static bool Glob(string glob, string text)
    {
        ArgumentNullException.ThrowIfNull(glob);
        ArgumentNullException.ThrowIfNull(text);
        return Match(glob, 0, text, 0);

        static bool Match(string g, int gi, string t, int ti)
        {
            while (gi < g.Length)
            {
                if (g[gi] == '*')
                {
                    for (var k = ti; k <= t.Length; k++)
                    {
                        if (Match(g, gi + 1, t, k))
                        {
                            return true;
                        }
                    }

                    return false;
                }

                if (ti >= t.Length || (g[gi] != '?' && g[gi] != t[ti]))
                {
                    return false;
                }

                gi++;
                ti++;
            }

            return ti == t.Length;
        }
    }

    private async Task<(IReadOnlyList<AttachmentMeta> Added, IReadOnlyList<AttachmentMeta> Removed)> EditAsync(
        string taskId,
        string kind,
        string? by,
        Func<TaskRecord, long, (IReadOnlyList<AttachmentMeta>? List, IReadOnlyList<AttachmentMeta> Added, IReadOnlyList<AttachmentMeta> Removed)> edit,
        CancellationToken cancellationToken)
    {
        var requestId = Guid.NewGuid().ToString("N");
        (IReadOnlyList<AttachmentMeta> Added, IReadOnlyList<AttachmentMeta> Removed) done = ([], []);
        await context.RetryAsync(
            async _ =>
            {
                var entry = await context.Records.GetTaskAsync(taskId, cancellationToken).ConfigureAwait(false)
                    ?? throw TaskGraphException.TaskNotFound(taskId);
                var task = entry.Value;
                if (task.Change?.RequestId == requestId)
                {
                    return true;
                }

                if (task.IsDeleted)
                {
                    throw new TaskGraphException(ErrorCodes.TaskNotFound, $"Task '{taskId}' is deleted") { Field = "task" };
                }

                var now = context.NowMs;
                var (list, added, removed) = edit(task, now);
                var next = task with
                {
                    Attachments = list,
                    UpdatedAt = now,
                    Change = new TaskChange { Kind = kind, Actor = by, FromStatus = task.Status, FromPhase = task.Phase, RequestId = requestId },
                };
                done = (added, removed);
                var revision = await context.Records.PutTaskAsync(next, entry.Revision, cancellationToken).ConfigureAwait(false);
                await context.SeenAsync(RecordKeys.Task(taskId), revision, cancellationToken).ConfigureAwait(false);
                return true;
            },
            ContendedAttempts,
            cancellationToken).ConfigureAwait(false);
        return done;
    }
}
