using System.IO.Compression;
using System.Text.Json;

namespace TaskGraph.Core.Migration;

/// <summary>
/// TaskGraph's snapshot format, version 1: JSON Lines (one object per line, UTF-8, optionally gzip), so a graph of any
/// size streams through in constant memory (docs/adr/0014).
/// <code>
/// {"format":"taskgraph-snapshot","version":1,"graph":"default","exported_at":"2026-12-03T10:00:00Z","history":true,"workers":false}
/// {"put":"task.fix-login","pos":12,"value":{...the record exactly as stored...}}
/// {"del":"mark.src=2Fa.cs","pos":13}
/// {"blob":"fix-login_log_1764756000000-1a2b.txt","data":"...base64..."}
/// {"end":{"records":2,"blobs":1}}
/// </code>
/// The trailer counts the lines before it, so a truncated file is told from a short one.
/// </summary>
public static class SnapshotFormat
{
    /// <summary>The <c>format</c> of the header line.</summary>
    public const string Name = "taskgraph-snapshot";

    /// <summary>The version this build writes and reads.</summary>
    public const int Version = 1;

    /// <summary>Opens a snapshot file for reading, gunzipping it when it starts with the gzip magic bytes.</summary>
    public static Stream OpenRead(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        Span<byte> magic = stackalloc byte[2];
        var read = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        file.Position = 0;
        return read == 2 && magic[0] == 0x1f && magic[1] == 0x8b ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    /// <summary>Whether the file holds a task-graph-mcp snapshot (one JSON document with <c>schema_version</c>) rather than ours.</summary>
    public static bool IsTaskGraphMcp(string path)
    {
        using var stream = OpenRead(path);
        var buffer = new byte[4096];
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        var head = System.Text.Encoding.UTF8.GetString(buffer, 0, read);
        var line = head.Split('\n')[0];
        if (line.Contains("\"format\"", StringComparison.Ordinal) && line.Contains(Name, StringComparison.Ordinal))
        {
            return false;
        }

        return head.Contains("\"schema_version\"", StringComparison.Ordinal);
    }

    /// <summary>Reads a whole task-graph-mcp snapshot document.</summary>
    public static JsonDocument ReadDocument(string path)
    {
        using var stream = OpenRead(path);
        try
        {
            return JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException ex)
        {
            throw new SnapshotFormatException($"not valid JSON ({ex.Message.Split('.')[0]})", ex);
        }
    }
}
