using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;

namespace TaskGraph.Core.Migration;

/// <summary>
/// Copies a graph from one store to another with its whole history (every change in commit order, workers included,
/// then the blobs), then checks the copy with <see cref="GraphDiff"/>. A marker in the target names the source while it
/// runs; started again after an interruption, it reads what the target already has, checks that it is the source's
/// log so far change by change, and goes on from there.
/// </summary>
public sealed class GraphMigration(IRecordStore source, IBlobStore? sourceBlobs, IRecordStore target, IBlobStore? targetBlobs, TimeProvider time)
{
    /// <summary>Migrates; returns the changes copied (this run), whether it resumed, and the differences left (empty: verified).</summary>
    public async Task<(long Copied, bool Resumed, IReadOnlyList<GraphDifference> Differences)> RunAsync(
        string sourceName, string targetName, bool force, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        var marker = await target.GetAsync(GraphKeys.MigrationMarker, cancellationToken).ConfigureAwait(false);
        var resuming = marker is not null && RecordJson.Deserialize<MigrationMarker>(marker.Value).From == sourceName && !force;
        ulong after;
        if (resuming)
        {
            after = RecordJson.Deserialize<MigrationMarker>(marker!.Value).After;
        }
        else
        {
            var live = await GraphImporter.LiveRecordsAsync(target, cancellationToken).ConfigureAwait(false);
            if (live.Count > 0 && !force)
            {
                throw new ImportRefusedException($"the target graph is not empty ({live.Count} records): --force replaces it");
            }

            var importer = new GraphImporter(target, targetBlobs, Configuration.DependencyTypeDefinition.Defaults(), time);
            await importer.ClearAsync(live, cancellationToken).ConfigureAwait(false);
            after = await target.GetPositionAsync(cancellationToken).ConfigureAwait(false);
            var value = RecordJson.Serialize(new MigrationMarker(sourceName, after, time.GetUtcNow().ToUnixTimeMilliseconds()));
            if (marker is null)
            {
                await target.CreateAsync(GraphKeys.MigrationMarker, value, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await target.UpdateAsync(GraphKeys.MigrationMarker, value, marker.Revision, cancellationToken).ConfigureAwait(false);
            }
        }

        var copied = await CopyAsync(sourceName, resuming, after, progress, cancellationToken).ConfigureAwait(false);
        var current = await target.GetAsync(GraphKeys.MigrationMarker, cancellationToken).ConfigureAwait(false);
        if (current is not null)
        {
            await target.DeleteAsync(GraphKeys.MigrationMarker, current.Revision, cancellationToken).ConfigureAwait(false);
        }

        var differences = await GraphDiff.CompareAsync(
            new StoreGraphSource(source, sourceBlobs, sourceName, "graph", history: true, workers: true, time),
            new StoreGraphSource(target, targetBlobs, targetName, "graph", history: true, workers: true, time),
            cancellationToken).ConfigureAwait(false);
        return (copied, resuming, differences);
    }

    /// <summary>
    /// The copy itself, in a method of its own so that what it holds (the target's revisions and positions, a resumed
    /// copy's list) is garbage before the verification reads both sides.
    /// </summary>
    private async Task<long> CopyAsync(string sourceName, bool resuming, ulong after, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        // What the target already holds of the copy (nothing on a fresh start but graph.deps emptied by the clear).
        // Only what the check and the replay need of each: a resumed copy of a large graph must not hold its values.
        var done = new List<(string Key, ChangeKind Kind, ulong Revision, ulong Position)>();
        var targetEnd = await target.GetPositionAsync(cancellationToken).ConfigureAwait(false);
        if (resuming && targetEnd > after)
        {
            await foreach (var change in target.WatchAsync(after, cancellationToken).ConfigureAwait(false))
            {
                if (GraphKeys.IsGraph(change.Key, workers: true))
                {
                    done.Add((change.Key, change.Kind, change.Revision, change.Position));
                }

                if (change.Position >= targetEnd)
                {
                    break;
                }
            }
        }

        var replay = new LogReplay(target, targetBlobs, await GraphImporter.LiveRecordsAsync(target, cancellationToken).ConfigureAwait(false));
        var from = new StoreGraphSource(source, sourceBlobs, sourceName, "graph", history: true, workers: true, time);
        var index = 0;
        long copied = 0;
        await foreach (var entry in from.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (entry.Kind != SnapshotEntryKind.Blob && index < done.Count)
            {
                var written = done[index++];
                if (written.Key != entry.Key || (written.Kind == ChangeKind.Delete) != (entry.Kind == SnapshotEntryKind.Delete))
                {
                    throw new ImportRefusedException($"the target's copy does not follow {sourceName} (change {index}: {written.Key} where the source has {entry.Key}): run again with --force to start over");
                }

                replay.Skip(entry, written.Kind == ChangeKind.Delete ? null : written.Revision, written.Position);
                continue;
            }

            await replay.ApplyAsync(entry, cancellationToken).ConfigureAwait(false);
            copied++;
            if (copied % 250 == 0)
            {
                progress?.Report(index + copied);
            }
        }

        progress?.Report(index + copied);
        return copied;
    }
}
