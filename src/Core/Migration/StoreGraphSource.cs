using System.Globalization;
using System.Runtime.CompilerServices;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;

namespace TaskGraph.Core.Migration;

/// <summary>
/// A live store read as a snapshot, up to the position it had when the read began: with <see cref="SnapshotHeader.History"/>,
/// every change of the graph's records in commit order (the store's own log, so history keeps its times, actors and
/// order); without, each live record once (a first pass finds each key's last change, a second emits it, so memory is a
/// position per key) with the edges as one <c>graph.deps</c> snapshot. Blobs the live attachments name come last.
/// </summary>
public sealed class StoreGraphSource : IGraphSource
{
    private readonly IRecordStore _store;
    private readonly IBlobStore? _blobs;

    /// <summary>Reads <paramref name="store"/> (its blobs in <paramref name="blobs"/>) as the graph <paramref name="graph"/>.</summary>
    public StoreGraphSource(IRecordStore store, IBlobStore? blobs, string name, string graph, bool history, bool workers, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        _store = store;
        _blobs = blobs;
        Name = name;
        Header = new SnapshotHeader(SnapshotFormat.Version, graph, time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture), history, workers);
    }

    /// <inheritdoc />
    public SnapshotHeader Header { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Blobs the live attachments name that the blob store did not have, in the last read.</summary>
    public int MissingBlobs { get; private set; }

    /// <inheritdoc />
    public async IAsyncEnumerable<SnapshotEntry> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        MissingBlobs = 0;
        var end = await _store.GetPositionAsync(cancellationToken).ConfigureAwait(false);
        var blobsByTask = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (Header.History)
        {
            await foreach (var change in LogAsync(end, cancellationToken).ConfigureAwait(false))
            {
                Track(blobsByTask, change);
                yield return change.Kind == ChangeKind.Put
                    ? new SnapshotEntry(SnapshotEntryKind.Put, change.Key, change.Value, change.Position)
                    : new SnapshotEntry(SnapshotEntryKind.Delete, change.Key, ReadOnlyMemory<byte>.Empty, change.Position);
            }
        }
        else
        {
            var last = new Dictionary<string, ulong>(StringComparer.Ordinal);
            var edges = new EdgeReplay();
            var depsWritten = false;
            long? depsChangedAt = null;
            await foreach (var change in LogAsync(end, cancellationToken).ConfigureAwait(false))
            {
                if (change.Key == RecordKeys.Dependencies)
                {
                    depsWritten = true;
                    if (change.Kind == ChangeKind.Put)
                    {
                        edges.Apply(change.Value);
                    }
                    else
                    {
                        edges.Clear();
                    }

                    depsChangedAt = RecordJson.ChangedAtOf(change.Value) ?? depsChangedAt;
                }
                else if (change.Kind == ChangeKind.Put)
                {
                    last[change.Key] = change.Position;
                }
                else
                {
                    last.Remove(change.Key);
                }
            }

            await foreach (var change in LogAsync(end, cancellationToken).ConfigureAwait(false))
            {
                if (change.Kind == ChangeKind.Put && last.TryGetValue(change.Key, out var at) && at == change.Position)
                {
                    Track(blobsByTask, change);
                    yield return new SnapshotEntry(SnapshotEntryKind.Put, change.Key, change.Value, change.Position);
                }
            }

            if (depsWritten)
            {
                var snapshot = RecordJson.Serialize(new DependencyGraphRecord { Edges = edges.Edges, Actor = "export" }, depsChangedAt, stamp: null);
                yield return new SnapshotEntry(SnapshotEntryKind.Put, RecordKeys.Dependencies, snapshot, end);
            }
        }

        if (_blobs is null)
        {
            yield break;
        }

        foreach (var name in blobsByTask.Values.SelectMany(n => n).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            if (await _blobs.GetAsync(name, cancellationToken).ConfigureAwait(false) is { } bytes)
            {
                yield return new SnapshotEntry(SnapshotEntryKind.Blob, name, bytes);
            }
            else
            {
                MissingBlobs++;
            }
        }
    }

    private static void Track(Dictionary<string, IReadOnlyList<string>> blobsByTask, RecordChange change)
    {
        if (!change.Key.StartsWith(RecordKeys.TaskPrefix, StringComparison.Ordinal))
        {
            return;
        }

        // Only the tasks that name blobs are kept (a map of every task to an empty list held 100,000 entries through a
        // whole read), and a value that cannot name one is not parsed.
        var blobs = change.Kind == ChangeKind.Put && GraphKeys.MayNameBlobs(change.Value.Span) ? GraphKeys.BlobsOf(change.Value) : [];
        if (blobs.Count > 0)
        {
            blobsByTask[change.Key] = blobs;
        }
        else
        {
            blobsByTask.Remove(change.Key);
        }
    }

    /// <summary>The graph's changes up to <paramref name="end"/>, in commit order.</summary>
    private async IAsyncEnumerable<RecordChange> LogAsync(ulong end, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (end == 0)
        {
            yield break;
        }

        await foreach (var change in _store.WatchAsync(0, cancellationToken).ConfigureAwait(false))
        {
            if (change.Position > end)
            {
                yield break;
            }

            if (GraphKeys.IsGraph(change.Key, Header.Workers))
            {
                yield return change;
            }

            if (change.Position >= end)
            {
                yield break;
            }
        }
    }
}
