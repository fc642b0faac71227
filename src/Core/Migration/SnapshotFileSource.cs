using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace TaskGraph.Core.Migration;

/// <summary>A snapshot file in TaskGraph's format (<see cref="SnapshotFormat"/>), gzip or not.</summary>
public sealed class SnapshotFileSource : IGraphSource
{
    private readonly string _path;

    private SnapshotFileSource(string path, SnapshotHeader header)
    {
        _path = path;
        Header = header;
    }

    /// <inheritdoc />
    public SnapshotHeader Header { get; }

    /// <inheritdoc />
    public string Name => Path.GetFileName(_path);

    /// <summary>Opens the file and reads its header; throws <see cref="SnapshotFormatException"/> when it is not a snapshot this build reads.</summary>
    public static async Task<SnapshotFileSource> OpenAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var reader = new StreamReader(SnapshotFormat.OpenRead(path), Encoding.UTF8);
        string? first;
        try
        {
            first = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException ex)
        {
            throw new SnapshotFormatException($"not a readable gzip file ({ex.Message})", ex);
        }

        return new SnapshotFileSource(path, ParseHeader(first));
    }

    /// <summary>Reads every line once without keeping any: the whole file must parse and end with a trailer that counts it.</summary>
    public async Task ValidateAsync(CancellationToken cancellationToken)
    {
        await foreach (var unused in ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            _ = unused;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<SnapshotEntry> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(SnapshotFormat.OpenRead(_path), Encoding.UTF8, detectEncodingFromByteOrderMarks: false, 1 << 16);
        long line = 1;
        long records = 0;
        long blobs = 0;
        var ended = false;
        _ = await ReadLineAsync(reader, line, cancellationToken).ConfigureAwait(false);
        while (await ReadLineAsync(reader, line + 1, cancellationToken).ConfigureAwait(false) is { } text)
        {
            line++;
            if (ended)
            {
                throw new SnapshotFormatException($"line {line}: content after the end line");
            }

            if (text.Length == 0)
            {
                continue;
            }

            var entry = ParseEntry(text, line, out var trailer);
            if (trailer is { } counts)
            {
                if (counts.Records != records || counts.Blobs != blobs)
                {
                    throw new SnapshotFormatException($"line {line}: the end line counts {counts.Records} records and {counts.Blobs} blobs, the file has {records} and {blobs}");
                }

                ended = true;
                continue;
            }

            if (entry!.Kind == SnapshotEntryKind.Blob)
            {
                blobs++;
            }
            else
            {
                records++;
            }

            yield return entry;
        }

        if (!ended)
        {
            throw new SnapshotFormatException($"truncated: no end line after line {line} (the export did not finish, or the file was cut)");
        }
    }

    private static async Task<string?> ReadLineAsync(StreamReader reader, long line, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            throw new SnapshotFormatException($"line {line}: cannot be read ({ex.Message.ReplaceLineEndings(" ")})", ex);
        }
    }

    private static SnapshotHeader ParseHeader(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new SnapshotFormatException("empty file: no snapshot header");
        }

        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String || format.GetString() != SnapshotFormat.Name)
            {
                throw new SnapshotFormatException($"not a TaskGraph snapshot: the first line has no \"format\": \"{SnapshotFormat.Name}\"");
            }

            var version = root.TryGetProperty("version", out var v) && v.TryGetInt32(out var n) ? n : 0;
            if (version != SnapshotFormat.Version)
            {
                throw new SnapshotFormatException($"snapshot version {version} is not supported: this build reads version {SnapshotFormat.Version}");
            }

            return new SnapshotHeader(
                version,
                root.TryGetProperty("graph", out var g) && g.ValueKind == JsonValueKind.String ? g.GetString()! : "default",
                root.TryGetProperty("exported_at", out var at) && at.ValueKind == JsonValueKind.String ? at.GetString()! : string.Empty,
                root.TryGetProperty("history", out var h) && h.ValueKind == JsonValueKind.True,
                root.TryGetProperty("workers", out var w) && w.ValueKind == JsonValueKind.True);
        }
        catch (JsonException)
        {
            throw new SnapshotFormatException("not a TaskGraph snapshot: the first line is not JSON");
        }
    }

    private static SnapshotEntry? ParseEntry(string text, long line, out (long Records, long Blobs)? trailer)
    {
        trailer = null;
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new SnapshotFormatException($"line {line}: not a JSON object");
            }

            ulong Position() => root.TryGetProperty("pos", out var p) && p.TryGetUInt64(out var n) ? n : 0;
            if (root.TryGetProperty("put", out var put) && put.ValueKind == JsonValueKind.String)
            {
                if (!root.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.Object)
                {
                    throw new SnapshotFormatException($"line {line}: a put without an object value");
                }

                return new SnapshotEntry(SnapshotEntryKind.Put, Key(put, line), Encoding.UTF8.GetBytes(value.GetRawText()), Position());
            }

            if (root.TryGetProperty("del", out var del) && del.ValueKind == JsonValueKind.String)
            {
                return new SnapshotEntry(SnapshotEntryKind.Delete, Key(del, line), ReadOnlyMemory<byte>.Empty, Position());
            }

            if (root.TryGetProperty("blob", out var blob) && blob.ValueKind == JsonValueKind.String
                && root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.String && data.TryGetBytesFromBase64(out var bytes))
            {
                return new SnapshotEntry(SnapshotEntryKind.Blob, Key(blob, line), bytes);
            }

            if (root.TryGetProperty("end", out var end) && end.ValueKind == JsonValueKind.Object
                && end.TryGetProperty("records", out var r) && r.TryGetInt64(out var records)
                && end.TryGetProperty("blobs", out var b) && b.TryGetInt64(out var blobs))
            {
                trailer = (records, blobs);
                return null;
            }

            throw new SnapshotFormatException($"line {line}: not a put, del, blob or end line");
        }
        catch (JsonException)
        {
            throw new SnapshotFormatException($"line {line}: not valid JSON (a cut or edited file?)");
        }
    }

    private static string Key(JsonElement key, long line)
    {
        var text = key.GetString()!;
        if (text.Length is 0 or > 4096 || text.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '=' or '.' or '/')))
        {
            throw new SnapshotFormatException($"line {line}: '{(text.Length > 80 ? text[..80] + "..." : text)}' is not a record key");
        }

        return text;
    }
}
