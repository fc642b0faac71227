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
    private GraphImage(bool history, int capacity)
    {
        History = history;
        Records = new Dictionary<string, RecordImage>(capacity, StringComparer.Ordinal);
    }

    /// <summary>Whether the revision chains were read (the side carries history).</summary>
    public bool History { get; }

    /// <summary>
    /// Live record key to the hash of its value and, for a task with history, a running hash over its revisions since its
    /// last create and their count (a chain, so the order counts and no list is kept).
    /// </summary>
    public Dictionary<string, RecordImage> Records { get; }

    /// <summary>A hash per edge of <c>graph.deps</c> (the edges themselves are read again only to name differences).</summary>
    public HashSet<UInt128> Edges { get; } = [];

    /// <summary>Blob name to the hash of its bytes.</summary>
    public Dictionary<string, UInt128> Blobs { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Reads <paramref name="source"/> once. <paramref name="capacity"/> sizes the record map up front (the other side's
    /// count, when known), so that it is not grown by doubling through the large object heap.
    /// </summary>
    /// <remarks>
    /// Nothing of an entry outlives it but its hashes: the edges are followed as hashes from the first revision (the same
    /// set as <see cref="EdgeReplay"/> would give, since an edge is its three strings), not as edge objects hashed at the
    /// end, which at 170,000 edges held some 35 MB of strings until the image was done.
    /// </remarks>
    public static async Task<GraphImage> ReadAsync(IGraphSource source, CancellationToken cancellationToken, int capacity = 0)
    {
        ArgumentNullException.ThrowIfNull(source);
        var image = new GraphImage(source.Header.History, capacity);
        await foreach (var entry in source.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (entry.Key == RecordKeys.Dependencies && entry.Kind != SnapshotEntryKind.Blob)
            {
                if (entry.Kind == SnapshotEntryKind.Put)
                {
                    image.ApplyEdges(RecordJson.Deserialize<DependencyChangeRecord>(entry.Value));
                }
                else
                {
                    image.Edges.Clear();
                }

                continue;
            }

            image.Add(entry);
        }

        return image;
    }

    /// <summary>The edges of <paramref name="source"/> at its end.</summary>
    public static async Task<IReadOnlyCollection<DependencyEdge>> EdgesAsync(IGraphSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var edges = new EdgeReplay();
        await foreach (var entry in source.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (entry.Key == RecordKeys.Dependencies && entry.Kind == SnapshotEntryKind.Put)
            {
                edges.Apply(entry.Value);
            }
            else if (entry.Key == RecordKeys.Dependencies && entry.Kind == SnapshotEntryKind.Delete)
            {
                edges.Clear();
            }
        }

        return edges.Set;
    }

    /// <summary>The hash an edge is compared by.</summary>
    public static UInt128 Hash(DependencyEdge edge)
    {
        ArgumentNullException.ThrowIfNull(edge);
        var length = System.Text.Encoding.UTF8.GetMaxByteCount(edge.From.Length + edge.To.Length + edge.Type.Length + 2);
        var rented = length <= 512 ? null : System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        Span<byte> buffer = rented ?? stackalloc byte[512];
        var n = System.Text.Encoding.UTF8.GetBytes(edge.From, buffer);
        buffer[n++] = 0;
        n += System.Text.Encoding.UTF8.GetBytes(edge.To, buffer[n..]);
        buffer[n++] = 0;
        n += System.Text.Encoding.UTF8.GetBytes(edge.Type, buffer[n..]);
        var hash = Hash(buffer[..n]);
        if (rented is not null)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }

        return hash;
    }

    /// <summary>One revision of <c>graph.deps</c>, as <see cref="EdgeReplay.Apply(DependencyChangeRecord)"/> applies it, on the hashes.</summary>
    private void ApplyEdges(DependencyChangeRecord change)
    {
        if (change.IsSnapshot)
        {
            Edges.Clear();
            foreach (var edge in change.Edges ?? [])
            {
                Edges.Add(Hash(edge));
            }

            return;
        }

        foreach (var edge in change.Removed ?? [])
        {
            Edges.Remove(Hash(edge));
        }

        foreach (var edge in change.Added ?? [])
        {
            Edges.Add(Hash(edge));
        }
    }

    private void Add(SnapshotEntry entry)
    {
        switch (entry.Kind)
        {
            case SnapshotEntryKind.Blob:
                Blobs[entry.Key] = Hash(entry.Value.Span);
                break;
            case SnapshotEntryKind.Delete:
                Records.Remove(entry.Key);
                break;
            default:
                var hash = Hash(Comparable(entry.Key, entry.Value).Span);
                var chained = History && entry.Key.StartsWith(RecordKeys.TaskPrefix, StringComparison.Ordinal);
                ref var record = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(Records, entry.Key, out var existed);
                record = existed
                    ? new RecordImage(hash, chained ? Chain(record.Chain, hash) : default, record.Revisions + 1)
                    : new RecordImage(hash, chained ? Chain(default, hash) : default, 1);
                break;
        }
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
