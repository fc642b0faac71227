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

    /// <summary>Whether the revision chains were read (the side carries history).</summary>
    public bool History { get; }

    /// <summary>
    /// Live record key to the hash of its value and, for a task with history, a running hash over its revisions since its
    /// last create and their count (a chain, so the order counts and no list is kept).
    /// </summary>
    public Dictionary<string, RecordImage> Records { get; } = new(StringComparer.Ordinal);

    /// <summary>A hash per edge of <c>graph.deps</c> (the edges themselves are read again only to name differences).</summary>
    public HashSet<UInt128> Edges { get; } = [];

    /// <summary>Blob name to the hash of its bytes.</summary>
    public Dictionary<string, UInt128> Blobs { get; } = new(StringComparer.Ordinal);

    /// <summary>Reads <paramref name="source"/> once.</summary>
    public static async Task<GraphImage> ReadAsync(IGraphSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var image = new GraphImage(source.Header.History);
        var edges = await ReadAsync(source, image, cancellationToken).ConfigureAwait(false);
        foreach (var edge in edges.Set)
        {
            image.Edges.Add(Hash(edge));
        }

        return image;
    }

    /// <summary>The edges of <paramref name="source"/> at its end.</summary>
    public static async Task<IReadOnlyCollection<DependencyEdge>> EdgesAsync(IGraphSource source, CancellationToken cancellationToken) =>
        (await ReadAsync(source, null, cancellationToken).ConfigureAwait(false)).Set;

    /// <summary>The hash an edge is compared by.</summary>
    public static UInt128 Hash(DependencyEdge edge)
    {
        ArgumentNullException.ThrowIfNull(edge);
        return Hash(System.Text.Encoding.UTF8.GetBytes($"{edge.From}\u0000{edge.To}\u0000{edge.Type}"));
    }

    private static async Task<EdgeReplay> ReadAsync(IGraphSource source, GraphImage? image, CancellationToken cancellationToken)
    {
        var edges = new EdgeReplay();
        await foreach (var entry in source.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (entry.Key == RecordKeys.Dependencies && entry.Kind != SnapshotEntryKind.Blob)
            {
                if (entry.Kind == SnapshotEntryKind.Put)
                {
                    edges.Apply(entry.Value);
                }
                else
                {
                    edges.Clear();
                }

                continue;
            }

            if (image is null)
            {
                continue;
            }

            switch (entry.Kind)
            {
                case SnapshotEntryKind.Blob:
                    image.Blobs[entry.Key] = Hash(entry.Value.Span);
                    break;
                case SnapshotEntryKind.Delete:
                    image.Records.Remove(entry.Key);
                    break;
                default:
                    var hash = Hash(Comparable(entry.Key, entry.Value).Span);
                    var chained = image.History && entry.Key.StartsWith(RecordKeys.TaskPrefix, StringComparison.Ordinal);
                    ref var record = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(image.Records, entry.Key, out var existed);
                    record = existed
                        ? new RecordImage(hash, chained ? Chain(record.Chain, hash) : default, record.Revisions + 1)
                        : new RecordImage(hash, chained ? Chain(default, hash) : default, 1);
                    break;
            }
        }

        return edges;
    }

    private static UInt128 Chain(UInt128 before, UInt128 next)
    {
        Span<byte> both = stackalloc byte[32];
        BitConverter.TryWriteBytes(both[..8], (ulong)(before >> 64));
        BitConverter.TryWriteBytes(both[8..16], (ulong)before);
        BitConverter.TryWriteBytes(both[16..24], (ulong)(next >> 64));
        BitConverter.TryWriteBytes(both[24..], (ulong)next);
        return Hash(both);
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
