using System.Text.Json;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;

namespace TaskGraph.Core.Migration;

/// <summary>
/// Compares two graphs, each a snapshot file or a live store: records by value, edges as a set, blobs by content, and
/// when both sides carry history each task's revisions since its last create in order. Reads each side once (twice to
/// name the changed fields of at most <see cref="MaxFieldDetails"/> records).
/// </summary>
public static class GraphDiff
{
    /// <summary>How many modified records get their changed fields named.</summary>
    public const int MaxFieldDetails = 50;

    /// <summary>Every difference from <paramref name="a"/> to <paramref name="b"/> (empty when equal).</summary>
    public static async Task<IReadOnlyList<GraphDifference>> CompareAsync(IGraphSource a, IGraphSource b, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var left = await GraphImage.ReadAsync(a, cancellationToken).ConfigureAwait(false);
        var right = await GraphImage.ReadAsync(b, cancellationToken, left.Records.Count).ConfigureAwait(false);
        if (!a.Header.Workers || !b.Header.Workers)
        {
            // Like with like: workers are compared only when both sides carry them.
            left.DropWorkers();
            right.DropWorkers();
        }

        var differences = new List<GraphDifference>();
        var modified = new List<string>();
        foreach (var (key, record) in left.Records.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            if (!right.Records.TryGetValue(key, out var other))
            {
                differences.Add(new GraphDifference("removed", "record", key));
            }
            else if (other.Hash != record.Hash)
            {
                modified.Add(key);
            }
        }

        differences.AddRange(right.Records.Keys.Where(k => !left.Records.ContainsKey(k)).Order(StringComparer.Ordinal).Select(k => new GraphDifference("added", "record", k)));
        var fields = await ChangedFieldsAsync(a, b, modified.Take(MaxFieldDetails).ToHashSet(StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);
        differences.AddRange(modified.Select(k => new GraphDifference("modified", "record", k, fields.GetValueOrDefault(k))));
        if (!left.Edges.SetEquals(right.Edges))
        {
            // Read the edges again, only now, to name the ones that differ.
            var leftEdges = (await GraphImage.EdgesAsync(a, cancellationToken).ConfigureAwait(false)).ToHashSet();
            var rightEdges = (await GraphImage.EdgesAsync(b, cancellationToken).ConfigureAwait(false)).ToHashSet();
            differences.AddRange(leftEdges.Where(e => !rightEdges.Contains(e)).Select(e => new GraphDifference("removed", "edge", Describe(e))).OrderBy(d => d.Key, StringComparer.Ordinal));
            differences.AddRange(rightEdges.Where(e => !leftEdges.Contains(e)).Select(e => new GraphDifference("added", "edge", Describe(e))).OrderBy(d => d.Key, StringComparer.Ordinal));
        }
        foreach (var (name, hash) in left.Blobs.OrderBy(b => b.Key, StringComparer.Ordinal))
        {
            if (!right.Blobs.TryGetValue(name, out var other))
            {
                differences.Add(new GraphDifference("removed", "blob", name));
            }
            else if (other != hash)
            {
                differences.Add(new GraphDifference("modified", "blob", name));
            }
        }

        differences.AddRange(right.Blobs.Keys.Where(k => !left.Blobs.ContainsKey(k)).Order(StringComparer.Ordinal).Select(k => new GraphDifference("added", "blob", k)));
        if (left.History && right.History)
        {
            foreach (var (key, record) in left.Records.OrderBy(r => r.Key, StringComparer.Ordinal))
            {
                if (key.StartsWith(RecordKeys.TaskPrefix, StringComparison.Ordinal) && right.Records.TryGetValue(key, out var other)
                    && (other.Chain != record.Chain || other.Revisions != record.Revisions))
                {
                    differences.Add(new GraphDifference("history", "record", key, Detail: $"{record.Revisions} revisions vs {other.Revisions}"));
                }
            }
        }

        return differences;
    }

    private static string Describe(DependencyEdge edge) => $"{edge.From} -> {edge.To} ({edge.Type})";

    private static async Task<Dictionary<string, IReadOnlyList<string>>> ChangedFieldsAsync(IGraphSource a, IGraphSource b, HashSet<string> keys, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (keys.Count == 0)
        {
            return result;
        }

        var left = await FinalValuesAsync(a, keys, cancellationToken).ConfigureAwait(false);
        var right = await FinalValuesAsync(b, keys, cancellationToken).ConfigureAwait(false);
        foreach (var key in keys)
        {
            if (left.TryGetValue(key, out var l) && right.TryGetValue(key, out var r))
            {
                using var ld = JsonDocument.Parse(l);
                using var rd = JsonDocument.Parse(r);
                var names = ld.RootElement.EnumerateObject().Select(p => p.Name).Union(rd.RootElement.EnumerateObject().Select(p => p.Name)).Distinct(StringComparer.Ordinal);
                result[key] = [.. names.Where(n => Raw(ld.RootElement, n) != Raw(rd.RootElement, n)).Order(StringComparer.Ordinal)];
            }
        }

        return result;
    }

    private static string? Raw(JsonElement o, string name) => o.TryGetProperty(name, out var v) ? v.GetRawText() : null;

    private static async Task<Dictionary<string, ReadOnlyMemory<byte>>> FinalValuesAsync(IGraphSource source, HashSet<string> keys, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        await foreach (var entry in source.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (entry.Kind == SnapshotEntryKind.Put && keys.Contains(entry.Key))
            {
                values[entry.Key] = GraphImage.Comparable(entry.Key, entry.Value);
            }
        }

        return values;
    }
}
