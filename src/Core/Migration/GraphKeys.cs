using System.Text.Json;
using TaskGraph.Core.Storage;

namespace TaskGraph.Core.Migration;

/// <summary>Which records make up a graph when it moves (tasks, edges, marks, attachment content, workers), and what they point to.</summary>
public static class GraphKeys
{
    /// <summary>Prefix of the marker a migration keeps in its target while it runs (not part of the graph).</summary>
    public const string MigrationMarker = "meta.migration";

    /// <summary>
    /// Whether <paramref name="key"/> belongs to the graph: tasks, <c>graph.deps</c>, marks, attachment content, and
    /// workers when <paramref name="workers"/>. Tokens, liveness and markers stay with their deployment.
    /// </summary>
    public static bool IsGraph(string key, bool workers)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.StartsWith(RecordKeys.TaskPrefix, StringComparison.Ordinal)
            || key == RecordKeys.Dependencies
            || key.StartsWith(RecordKeys.MarkPrefix, StringComparison.Ordinal)
            || key.StartsWith(RecordKeys.AttachmentPrefix, StringComparison.Ordinal)
            || (workers && key.StartsWith(RecordKeys.WorkerPrefix, StringComparison.Ordinal));
    }

    /// <summary>The key prefixes of a graph's records (graph.deps is its own key).</summary>
    public static IReadOnlyList<string> Prefixes(bool workers) => workers
        ? [RecordKeys.TaskPrefix, RecordKeys.MarkPrefix, RecordKeys.AttachmentPrefix, RecordKeys.WorkerPrefix, RecordKeys.Dependencies]
        : [RecordKeys.TaskPrefix, RecordKeys.MarkPrefix, RecordKeys.AttachmentPrefix, RecordKeys.Dependencies];

    /// <summary>
    /// Whether a task record's JSON may name a blob: false only when it has neither <c>blob_name</c> nor a <c>\u</c>
    /// escape (which could spell the name), so that <see cref="BlobsOf"/> is only parsed for the few that can.
    /// </summary>
    public static bool MayNameBlobs(ReadOnlySpan<byte> taskRecord) =>
        taskRecord.IndexOf("blob_name"u8) >= 0 || taskRecord.IndexOf("\\u"u8) >= 0;

    /// <summary>The blobs a task record's attachments name.</summary>
    public static IReadOnlyList<string> BlobsOf(ReadOnlyMemory<byte> taskRecord)
    {
        using var doc = JsonDocument.Parse(taskRecord);
        if (!doc.RootElement.TryGetProperty("attachments", out var attachments) || attachments.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var names = new List<string>();
        foreach (var a in attachments.EnumerateArray())
        {
            if (a.TryGetProperty("blob_name", out var blob) && blob.ValueKind == JsonValueKind.String)
            {
                names.Add(blob.GetString()!);
            }
        }

        return names;
    }
}
