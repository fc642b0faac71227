using TaskGraph.Core.Storage;

namespace TaskGraph.Core.Migration;

/// <summary>
/// Writes snapshot entries into a store in order, one change each: a put creates its key or compare-and-swaps its next
/// revision, a delete removes it, a blob is stored. <c>graph.deps</c> changes are rebased on the target's own revisions
/// and worker mark cursors mapped from source positions to target ones, the only fields that name a place in a log.
/// </summary>
public sealed class LogReplay
{
    /// <summary>How long a write waits out a stale fence before it gives up (the fences live 15 s by default).</summary>
    public static readonly TimeSpan StaleFenceWait = TimeSpan.FromSeconds(45);

    private readonly IRecordStore _target;
    private readonly IBlobStore? _blobs;
    private readonly Dictionary<string, ulong> _revisions;
    private readonly List<(ulong Source, ulong Target)> _positions = [];
    private ulong _depsRevision;

    /// <summary>Replays into <paramref name="target"/>, whose live records are <paramref name="live"/> (key to revision).</summary>
    public LogReplay(IRecordStore target, IBlobStore? blobs, Dictionary<string, ulong> live)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(live);
        _target = target;
        _blobs = blobs;
        _revisions = live;
        _depsRevision = live.GetValueOrDefault(RecordKeys.Dependencies);
    }

    /// <summary>Changes written.</summary>
    public long Changes { get; private set; }

    /// <summary>Blobs written.</summary>
    public long Blobs { get; private set; }

    /// <summary>Records live in the target that this replay wrote or found.</summary>
    public long LiveKeys => _revisions.Count;

    /// <summary>Takes a change that is already in the target (a resumed migration): its revision, without writing it.</summary>
    /// <param name="entry">The source's change.</param>
    /// <param name="revision">The revision the target gave it (null for a delete).</param>
    /// <param name="position">Where it sits in the target's log.</param>
    public void Skip(SnapshotEntry entry, ulong? revision, ulong position)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Record(entry, revision, position);
    }

    /// <summary>Writes one entry.</summary>
    public async Task ApplyAsync(SnapshotEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        switch (entry.Kind)
        {
            case SnapshotEntryKind.Blob:
                if (_blobs is not null)
                {
                    await _blobs.PutAsync(entry.Key, entry.Value, cancellationToken).ConfigureAwait(false);
                    Blobs++;
                }

                return;
            case SnapshotEntryKind.Delete:
                if (_revisions.TryGetValue(entry.Key, out var current))
                {
                    var at = await _target.DeleteAsync(entry.Key, current, cancellationToken).ConfigureAwait(false);
                    Record(entry, null, at);
                }

                return;
        }

        var value = entry.Value;
        if (entry.Key == RecordKeys.Dependencies)
        {
            value = RecordRewrite.Rebase(value, _depsRevision);
        }
        else if (entry.Key.StartsWith(RecordKeys.WorkerPrefix, StringComparison.Ordinal))
        {
            value = RecordRewrite.WorkerCursor(value, MapPosition);
        }

        var revision = _revisions.TryGetValue(entry.Key, out var expected)
            ? await UpdateAsync(entry.Key, value, expected, cancellationToken).ConfigureAwait(false)
            : await _target.CreateAsync(entry.Key, value, cancellationToken).ConfigureAwait(false);
        Record(entry, revision, revision);
    }

    /// <summary>
    /// A compare-and-swap that outlasts a writer killed mid-write: on a replicated NATS bucket the writer first takes a
    /// fence for the revision (ADR 0006), and a fence left by a killed migration refuses the next writer until it lapses
    /// (seconds). When the key still has the expected revision nobody else wrote it, so the write is tried again.
    /// </summary>
    private async Task<ulong> UpdateAsync(string key, ReadOnlyMemory<byte> value, ulong expected, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + StaleFenceWait;
        while (true)
        {
            try
            {
                return await _target.UpdateAsync(key, value, expected, cancellationToken).ConfigureAwait(false);
            }
            catch (ConcurrencyConflictException) when (DateTime.UtcNow < deadline)
            {
                if ((await _target.GetAsync(key, cancellationToken).ConfigureAwait(false))?.Revision != expected)
                {
                    throw;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private void Record(SnapshotEntry entry, ulong? revision, ulong position)
    {
        Changes++;
        if (revision is { } r)
        {
            _revisions[entry.Key] = r;
        }
        else
        {
            _revisions.Remove(entry.Key);
        }

        if (entry.Key == RecordKeys.Dependencies)
        {
            _depsRevision = position;
        }

        if (entry.Position > 0)
        {
            _positions.Add((entry.Position, position));
        }
    }

    /// <summary>The target position of the last replayed change at or before source position <paramref name="source"/>.</summary>
    private ulong MapPosition(ulong source)
    {
        int lo = 0, hi = _positions.Count - 1;
        ulong found = 0;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            if (_positions[mid].Source <= source)
            {
                found = _positions[mid].Target;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }
}
