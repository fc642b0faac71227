using System.Text;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Graph;
using TaskGraph.Core.Marks;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;

namespace TaskGraph.Core.Attachments;

/// <summary>
/// Checks attachment inputs (type policy, MIME syntax, size, file existence) and stores their content before any task
/// lists them: up to <see cref="MaxContentBytes"/> in a record of its own, larger content (or <c>store_as_file</c>) as a
/// blob (<see cref="Blobs"/>), up to <see cref="MaxBlobBytes"/>; gives content back, and deletes it once no task lists it.
/// </summary>
public sealed class AttachmentContents(GraphContext context, string baseDirectory)
{
    /// <summary>Largest content kept in a record, in UTF-8 bytes (a NATS message carries the record whole); larger goes to a blob.</summary>
    public const int MaxContentBytes = 256 * 1024;

    /// <summary>Largest content of one attachment (a blob), in bytes.</summary>
    public const int MaxBlobBytes = 16 * 1024 * 1024;

    /// <summary>Longest blob name (the catalogue's file-name limit).</summary>
    public const int MaxBlobNameLength = 255;

    private IBlobStore? _media;

    /// <summary>
    /// Where blobs go: the store's own blob store when it has one (the NATS object store, which every node reads), else the
    /// media directory (<c>server.media_dir</c>, relative to the project directory).
    /// </summary>
    public IBlobStore Blobs => context.Records.Store as IBlobStore
        ?? (_media ??= new MediaDirectoryBlobStore(Path.GetFullPath(context.Config.Server.MediaDir, baseDirectory)));

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
        var checkedInputs = new List<(AttachmentInput Input, string Mime, bool Replace, string? File, byte[]? Blob)>();
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
            byte[]? blob = null;
            if (input.File is { } path)
            {
                var full = MarkPaths.Normalise(Limits.Text(path, "file", Limits.PathLength)!, baseDirectory, "file");
                if (!File.Exists(full))
                {
                    throw new TaskGraphException(ErrorCodes.FileNotFound, $"File not found: {path}") { Field = "file" };
                }

                if (input.StoreAsFile)
                {
                    if (new FileInfo(full).Length > MaxBlobBytes)
                    {
                        throw TaskGraphException.Invalid("file", $"file is larger than {MaxBlobBytes / (1024 * 1024)} MiB, the most one attachment holds");
                    }

                    blob = await File.ReadAllBytesAsync(full, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    file = path;
                }
            }
            else if (input.Content is null)
            {
                throw new TaskGraphException(ErrorCodes.MissingRequiredField, "content or file is required") { Field = "content" };
            }
            else
            {
                var bytes = Encoding.UTF8.GetByteCount(input.Content);
                if (bytes > MaxBlobBytes)
                {
                    throw TaskGraphException.Invalid("content", $"content is larger than {MaxBlobBytes / (1024 * 1024)} MiB, the most one attachment holds");
                }

                if (input.StoreAsFile || bytes > MaxContentBytes)
                {
                    blob = Encoding.UTF8.GetBytes(input.Content);
                }
            }

            checkedInputs.Add((input with { Type = type }, mime, mode == "replace", file, blob));
        }

        var drafts = new List<AttachmentDraft>();
        try
        {
            var stamp = context.Time.GetUtcNow().ToUnixTimeMilliseconds();
            foreach (var (input, mime, replace, file, blob) in checkedInputs)
            {
                string? key = null;
                string? blobName = null;
                if (blob is not null)
                {
                    blobName = BlobName(taskId, input.Type, stamp, mime);
                    await Blobs.PutAsync(blobName, blob, cancellationToken).ConfigureAwait(false);
                    if (IsText(mime))
                    {
                        // Search reads records, not blobs: a text blob's first MaxContentBytes go in a record of their own.
                        key = RecordKeys.Attachment(Guid.NewGuid().ToString("N"));
                        await context.Records.PutAsync(key, new AttachmentContent { TaskId = taskId, Type = input.Type, Content = SearchExcerpt(blob) }, 0, cancellationToken).ConfigureAwait(false);
                    }
                }
                else if (file is null)
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
                    FilePath = file ?? (blobName is not null && Blobs is MediaDirectoryBlobStore media ? MarkPaths.Relative(media.PathOf(blobName), baseDirectory) ?? blobName : null),
                    BlobName = blobName,
                    Size = blob?.Length ?? (input.Content is null ? 0 : Encoding.UTF8.GetByteCount(input.Content)),
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
    public async Task ForgetAsync(IEnumerable<AttachmentDraft> drafts)
    {
        var list = drafts.ToList();
        await DeleteKeysAsync(list.Select(d => d.ContentKey)).ConfigureAwait(false);
        await DeleteBlobsAsync(list.Select(d => d.BlobName)).ConfigureAwait(false);
    }

    /// <summary>Deletes the content of attachments a task no longer lists (best effort).</summary>
    public async Task DeleteAsync(IEnumerable<AttachmentMeta> removed)
    {
        var list = removed.ToList();
        await DeleteKeysAsync(list.Select(m => m.ContentKey)).ConfigureAwait(false);
        await DeleteBlobsAsync(list.Select(m => m.BlobName)).ConfigureAwait(false);
    }

    /// <summary>
    /// The catalogue's <c>store_as_file</c> name, <c>{task}_{type}_{epochMs}-{4 hex}.{ext}</c>: characters outside
    /// <c>[A-Za-z0-9_-]</c> become <c>_</c>, the type is shortened to keep the name within 255 characters, and the random
    /// suffix keeps two blobs of one millisecond apart. The extension follows the MIME type (json, txt, md, html, png, jpg,
    /// gif, webp, pdf, else bin).
    /// </summary>
    public static string BlobName(string taskId, string type, long epochMs, string mime) =>
        BlobName(taskId, type, epochMs, mime, Random.Shared.Next(0x10000));

    /// <summary>
    /// <see cref="BlobName(string, string, long, string)"/> with the 4-hex suffix given (its low 16 bits), for a caller that
    /// needs the same name every time (an import replayed twice writes the same blob).
    /// </summary>
    public static string BlobName(string taskId, string type, long epochMs, string mime, int suffix)
    {
        ArgumentNullException.ThrowIfNull(mime);
        static string Safe(string s) => new([.. s.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_')]);
        var ext = mime.ToLowerInvariant() switch
        {
            "application/json" => "json",
            "text/markdown" => "md",
            "text/html" => "html",
            "image/png" => "png",
            "image/jpeg" => "jpg",
            "image/gif" => "gif",
            "image/webp" => "webp",
            "application/pdf" => "pdf",
            var m when m.StartsWith("text/", StringComparison.Ordinal) => "txt",
            _ => "bin",
        };
        var task = Safe(taskId);
        var tail = $"_{epochMs.ToString(System.Globalization.CultureInfo.InvariantCulture)}-{suffix & 0xFFFF:x4}.{ext}";
        var room = Math.Max(1, MaxBlobNameLength - task.Length - 1 - tail.Length);
        var safeType = Safe(type);
        return $"{task}_{(safeType.Length > room ? safeType[..room] : safeType)}{tail}";
    }

    /// <summary>The content of one attachment ("" for a file reference or content already gone).</summary>
    public async Task<string> ReadAsync(AttachmentMeta meta, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(meta);
        if (meta.BlobName is { } blobName)
        {
            var bytes = await Blobs.GetAsync(blobName, cancellationToken).ConfigureAwait(false);
            return bytes is null ? string.Empty : IsText(meta.MimeType) ? Encoding.UTF8.GetString(bytes) : Convert.ToBase64String(bytes);
        }

        if (meta.ContentKey is not { } key)
        {
            return string.Empty;
        }

        var entry = await context.Records.GetAsync<AttachmentContent>(key, cancellationToken).ConfigureAwait(false);
        return entry?.Value.Content ?? string.Empty;
    }

    /// <summary>The text of the first <see cref="MaxContentBytes"/> of a UTF-8 blob, cut on a character boundary.</summary>
    public static string SearchExcerpt(byte[] utf8)
    {
        ArgumentNullException.ThrowIfNull(utf8);
        var length = Math.Min(utf8.Length, MaxContentBytes);
        while (length < utf8.Length && length > 0 && (utf8[length] & 0xC0) == 0x80)
        {
            length--;
        }

        return Encoding.UTF8.GetString(utf8, 0, length);
    }

    /// <summary>True for type/subtype with non-empty parts of at most 127 bytes of <c>[A-Za-z0-9!#$&amp;^_.+-]</c>.</summary>
    public static bool IsMime(string mime)
    {
        ArgumentNullException.ThrowIfNull(mime);
        var parts = mime.Split('/');
        return parts.Length == 2 && parts.All(p => p.Length is > 0 and <= 127 && p.All(c => char.IsAsciiLetterOrDigit(c) || "!#$&^_.+-".Contains(c, StringComparison.Ordinal)));
    }

    /// <summary>Whether content of this MIME type is given back as text (else as base64).</summary>
    public static bool IsText(string mime)
    {
        ArgumentNullException.ThrowIfNull(mime);
        var m = mime.ToLowerInvariant();
        return m.StartsWith("text/", StringComparison.Ordinal) || m.EndsWith("/json", StringComparison.Ordinal) || m.EndsWith("+json", StringComparison.Ordinal)
            || m.EndsWith("/xml", StringComparison.Ordinal) || m.EndsWith("+xml", StringComparison.Ordinal) || m is "application/yaml" or "application/x-yaml";
    }

    private async Task DeleteBlobsAsync(IEnumerable<string?> names)
    {
        foreach (var name in names.OfType<string>())
        {
            try
            {
                await Blobs.DeleteAsync(name, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is StoreUnavailableException or IOException or UnauthorizedAccessException)
            {
                // An unreachable blob is harmless: no task lists it.
            }
        }
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
