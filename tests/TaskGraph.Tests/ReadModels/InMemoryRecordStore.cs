using System.Runtime.CompilerServices;
using TaskGraph.Core.Storage;

namespace TaskGraph.Tests.ReadModels;

/// <summary>
/// A test double of the store port: a dictionary, an append-only change log and a signal for live watchers.
/// Revisions are log positions (as in JetStream KV). Timestamps come from the given clock.
/// </summary>
internal sealed class InMemoryRecordStore(TimeProvider time) : IRecordStore, ILivenessStore
{
    private readonly Dictionary<string, RecordEntry> _volatile = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, RecordEntry> _live = new(StringComparer.Ordinal);
    private readonly List<RecordChange> _log = [];
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Exception? _watchFailure;

    public ValueTask<RecordEntry?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_live.GetValueOrDefault(key));
        }
    }

    public ValueTask<ulong> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_live.ContainsKey(key))
            {
                throw new ConcurrencyConflictException(key, 0);
            }

            return ValueTask.FromResult(Append(key, value, ChangeKind.Put));
        }
    }

    public ValueTask<ulong> UpdateAsync(string key, ReadOnlyMemory<byte> value, ulong expectedRevision, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_live.TryGetValue(key, out var current) || current.Revision != expectedRevision)
            {
                throw new ConcurrencyConflictException(key, expectedRevision);
            }

            return ValueTask.FromResult(Append(key, value, ChangeKind.Put));
        }
    }

    public ValueTask<ulong> DeleteAsync(string key, ulong expectedRevision, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_live.TryGetValue(key, out var current) || current.Revision != expectedRevision)
            {
                throw new ConcurrencyConflictException(key, expectedRevision);
            }

            return ValueTask.FromResult(Append(key, ReadOnlyMemory<byte>.Empty, ChangeKind.Delete));
        }
    }

    public ValueTask<IReadOnlyList<RecordEntry>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            IReadOnlyList<RecordEntry> entries = [.. _live.Values.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(e => e.Key, StringComparer.Ordinal)];
            return ValueTask.FromResult(entries);
        }
    }

    public async IAsyncEnumerable<RecordChange> WatchAsync(ulong afterPosition, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var next = (int)afterPosition;
        while (true)
        {
            Task signal;
            RecordChange? change = null;
            lock (_gate)
            {
                if (_watchFailure is not null)
                {
                    throw _watchFailure;
                }

                if (next < _log.Count)
                {
                    change = _log[next++];
                }

                signal = _appended.Task;
            }

            if (change is not null)
            {
                yield return change;
            }
            else
            {
                await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public ValueTask<IReadOnlyList<RecordChange>> HistoryAsync(string key, ulong afterRevision = 0, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            IReadOnlyList<RecordChange> changes = [.. _log.Where(c => c.Key == key && c.Revision > afterRevision)];
            return ValueTask.FromResult(changes);
        }
    }

    public ValueTask<ulong> GetPositionAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult((ulong)_log.Count);
        }
    }

    /// <summary>Makes every watcher fail with <paramref name="failure"/> (simulates a broken store).</summary>
    public void FailWatches(Exception failure)
    {
        lock (_gate)
        {
            _watchFailure = failure;
            Signal();
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public ValueTask<RecordEntry?> GetLiveAsync(string key, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_volatile.GetValueOrDefault(key));
        }
    }

    public ValueTask<ulong> PutLiveAsync(string key, ReadOnlyMemory<byte> value, ulong expectedRevision, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var current = _volatile.GetValueOrDefault(key)?.Revision ?? 0;
            if (current != expectedRevision)
            {
                throw new ConcurrencyConflictException(key, expectedRevision);
            }

            _volatile[key] = new RecordEntry(key, value.ToArray(), current + 1, time.GetUtcNow());
            return ValueTask.FromResult(current + 1);
        }
    }

    public ValueTask RemoveLiveAsync(string key, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _volatile.Remove(key);
            return ValueTask.CompletedTask;
        }
    }

    public ValueTask<IReadOnlyList<RecordEntry>> ListLiveAsync(string prefix, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult<IReadOnlyList<RecordEntry>>([.. _volatile.Values.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(e => e.Key, StringComparer.Ordinal)]);
        }
    }

    private ulong Append(string key, ReadOnlyMemory<byte> value, ChangeKind kind)
    {
        var position = (ulong)_log.Count + 1;
        var now = time.GetUtcNow();
        var copy = value.ToArray();
        _log.Add(new RecordChange(position, key, position, copy, kind, now));
        if (kind == ChangeKind.Put)
        {
            _live[key] = new RecordEntry(key, copy, position, now);
        }
        else
        {
            _live.Remove(key);
        }

        Signal();
        return position;
    }

    private void Signal()
    {
        var appended = _appended;
        _appended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        appended.TrySetResult();
    }
}
