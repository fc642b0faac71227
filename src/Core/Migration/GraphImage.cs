using System.Security.Cryptography;
using System.Text.Json.Nodes;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;

namespace TaskGraph.Core.Migration;

/// <summary>
/// What <see cref="GraphDiff"/> compares of one side, in little memory: a hash per live record (a worker's mark cursor
/// left out: it is a position in its own store's log), the edge set, a hash per blob, and with history each task's
/// revisions since it was last created, as hashes in order.
/// </summary>
public sealed class GraphImage
{
    private GraphImage(bool history)
    {
        History = history;
    }

    /// <summary>Whether <see cref="Revisions"/> was read (the side carries history).</summary>
    public bool History { get; }

    /// <summary>Live record key to the hash of its value.</summary>
    public Dictionary<string, UInt128> Records { get; } = new(StringComparer.Ordinal);

    /// <summary>The edges of <c>graph.deps</c>.</summary>
    public HashSet<DependencyEdge> Edges { get; private set; } = [];

    /// <summary>Blob name to the hash of its bytes.</summary>
    public Dictionary<string, UInt128> Blobs { get; } = new(StringComparer.Ordinal);

    /// <summary>Task key to the hashes of its revisions since its last create, oldest first.</summary>
    public Dictionary<string, List<UInt128>> Revisions { get; } = new(StringComparer.Ordinal);

    /// <summary>Reads <paramref name="source"/> once.</summary>
    public static async Task<GraphImage> ReadAsync(IGraphSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var image = new GraphImage(source.Header.History);
        var edges = new EdgeReplay();
        await foreach (var entry in source.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            switch (entry.Kind)
            {
                case SnapshotEntryKind.Blob:
                    image.Blobs[entry.Key] = Hash(entry.Value.Span);
                    break;
                case SnapshotEntryKind.Delete:
                    image.Records.Remove(entry.Key);
                    image.Revisions.Remove(entry.Key);
                    if (entry.Key == RecordKeys.Dependencies)
                    {
                        edges.Clear();
                    }

                    break;
                default:
                    if (entry.Key == RecordKeys.Dependencies)
                    {
                        edges.Apply(entry.Value);
                        break;
                    }

                    var hash = Hash(Comparable(entry.Key, entry.Value).Span);
                    image.Records[entry.Key] = hash;
                    if (image.History && entry.Key.StartsWith(RecordKeys.TaskPrefix, StringComparison.Ordinal))
                    {
                        if (!image.Revisions.TryGetValue(entry.Key, out var list))
                        {
                            image.Revisions[entry.Key] = list = [];
                        }

                        list.Add(hash);
                    }

                    break;
            }
        }

        image.Edges = [.. edges.Set];
        return image;
    }

    /// <summary>Leaves the workers out of the comparison.</summary>
    public void DropWorkers()
    {
        foreach (var key in Records.Keys.Where(k => k.StartsWith(RecordKeys.WorkerPrefix, StringComparison.Ordinal)).ToList())
        {
            Records.Remove(key);
        }
    }

    /// <summary>A record as compared: as stored, but a worker without its mark cursor.</summary>
    public static ReadOnlyMemory<byte> Comparable(string key, ReadOnlyMemory<byte> value)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!key.StartsWith(RecordKeys.WorkerPrefix, StringComparison.Ordinal) || JsonNode.Parse(value.Span) is not JsonObject o || !o.Remove("mark_cursor"))
        {
            return value;
        }

        return System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(o);
    }

    private static UInt128 Hash(ReadOnlySpan<byte> bytes)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(bytes, digest);
        return new UInt128(BitConverter.ToUInt64(digest[..8]), BitConverter.ToUInt64(digest[8..16]));
    }
}
