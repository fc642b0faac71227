using System.Text;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Graph;
using TaskGraph.Core.Marks;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;

namespace TaskGraph.Core.Attachments;

/// <summary>
/// Checks attachment inputs (type policy, MIME syntax, size, file existence) and stores their content, each in a record of
/// its own, before any task lists them; gives content back, and deletes it once no task lists it.
/// </summary>
public sealed class AttachmentContents(GraphContext context, string baseDirectory)
{
    /// <summary>Largest content of one attachment, in UTF-8 bytes (a NATS message carries the record whole).</summary>
    public const int MaxContentBytes = 256 * 1024;

    /// <summary>Checks <paramref name="inputs"/> and stores their contents; the caller lists them on the task or forgets them.</summary>
    public async Task<PreparedAttachments> PrepareAsync(string taskId, IReadOnlyList<AttachmentInput> inputs, string? by, string field, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count == 0)
        {
            return PreparedAttachments.None;
        }

        if (inputs.Count > 100)
        {
            throw TaskGraphException.Invalid(field, "at most 100 attachments per call");
        }

        var settings = context.Config.Attachments;
        var warnings = new List<string>();
        var checkedInputs = new List<(AttachmentInput Input, string Mime, bool Replace, string? File)>();
        foreach (var input in inputs)
        {
            var type = Limits.Text(input.Type, "type", Limits.IdLength);
            if (string.IsNullOrWhiteSpace(type))
            {
                throw new TaskGraphException(ErrorCodes.MissingRequiredField, "type is required") { Field = "type" };
            }

            var known = settings.Definitions.TryGetValue(type, out var definition);
            if (!known && settings.UnknownKey == "reject")
            {
                throw TaskGraphException.Invalid("type", $"Unknown attachment type '{type}'. Known types: [{string.Join(", ", settings.Definitions.Keys.Order(StringComparer.Ordinal))}]");
            }

            if (!known && settings.UnknownKey == "warn")
            {
                warnings.Add($"Unknown attachment type '{type}' (not in attachments.definitions)");
            }

            var mime = input.Mime ?? definition?.Mime ?? "text/plain";
            if (!IsMime(mime))
            {
                throw TaskGraphException.Invalid("mime", $"'{mime}' is not a MIME type (type/subtype, at most 127 bytes each, letters, digits and !#$&^_.+-)");
            }

            var mode = input.Mode ?? definition?.Mode ?? "append";
            if (mode is not ("append" or "replace"))
            {
                throw TaskGraphException.Invalid("mode", $"mode must be append or replace, got '{mode}'");
            }

            Limits.Text(input.Name, "name", Limits.IdLength * 4);
            string? file = null;
            if (input.File is { } path)
            {
                var full = MarkPaths.Normalise(Limits.Text(path, "file", Limits.PathLength)!, baseDirectory, "file");
                if (!File.Exists(full))
                {
                    throw new TaskGraphException(ErrorCodes.FileNotFound, $"File not found: {path}") { Field = "file" };
                }

                file = path;
            }
            else if (input.Content is null)
            {
                throw new TaskGraphException(ErrorCodes.MissingRequiredField, "content or file is required") { Field = "content" };
            }
            else if (Encoding.UTF8.GetByteCount(input.Content) > MaxContentBytes)
            {
                throw TaskGraphException.Invalid("content", $"content is larger than {MaxContentBytes / 1024} KiB; attach a file reference instead");
            }

            checkedInputs.Add((input with { Type = type }, mime, mode == "replace", file));
        }

        var drafts = new List<AttachmentDraft>();
        try
        {
            foreach (var (input, mime, replace, file) in checkedInputs)
            {
                string? key = null;
                if (file is null)
                {
                    key = RecordKeys.Attachment(Guid.NewGuid().ToString("N"));
                    await context.Records.PutAsync(key, new AttachmentContent { TaskId = taskId, Type = input.Type, Content = input.Content! }, 0, cancellationToken).ConfigureAwait(false);
                }

                drafts.Add(new AttachmentDraft
                {
                    Type = input.Type,
                    Name = input.Name,
                    MimeType = mime,
                    Replace = replace,
                    ContentKey = key,
                    FilePath = file,
                    Size = input.Content is null ? 0 : Encoding.UTF8.GetByteCount(input.Content),
                    By = by,
                });
            }
        }
        catch
        {
            await ForgetAsync(drafts).ConfigureAwait(false);
            throw;
        }

        return new PreparedAttachments(drafts, warnings);
    }

    /// <summary>Deletes the stored content of drafts no task came to list (best effort: a leftover is unreachable, not wrong).</summary>
    public Task ForgetAsync(IEnumerable<AttachmentDraft> drafts) =>
        DeleteKeysAsync(drafts.Select(d => d.ContentKey));

    /// <summary>Deletes the content of attachments a task no longer lists (best effort).</summary>
    public Task DeleteAsync(IEnumerable<AttachmentMeta> removed) =>
        DeleteKeysAsync(removed.Select(m => m.ContentKey));

    /// <summary>The content of one attachment ("" for a file reference or content already gone).</summary>
    public async Task<string> ReadAsync(AttachmentMeta meta, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(meta);
        if (meta.ContentKey is not { } key)
        {
            return string.Empty;
        }

        var entry = await context.Records.GetAsync<AttachmentContent>(key, cancellationToken).ConfigureAwait(false);
        return entry?.Value.Content ?? string.Empty;
    }

    /// <summary>True for type/subtype with non-empty parts of at most 127 bytes of <c>[A-Za-z0-9!#$&amp;^_.+-]</c>.</summary>
    public static bool IsMime(string mime)
    {
        ArgumentNullException.ThrowIfNull(mime);
        var parts = mime.Split('/');
        return parts.Length == 2 && parts.All(p => p.Length is > 0 and <= 127 && p.All(c => char.IsAsciiLetterOrDigit(c) || "!#$&^_.+-".Contains(c, StringComparison.Ordinal)));
    }

    private async Task DeleteKeysAsync(IEnumerable<string?> keys)
    {
        foreach (var key in keys.OfType<string>())
        {
            try
            {
                var entry = await context.Records.Store.GetAsync(key, CancellationToken.None).ConfigureAwait(false);
                if (entry is { } e)
                {
                    await context.Records.DeleteAsync(key, e.Revision, CancellationToken.None).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is StoreUnavailableException or ConcurrencyConflictException)
            {
                // Unreachable content is harmless: no task lists it.
            }
        }
    }
}
