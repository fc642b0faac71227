using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using TaskGraph.Core.Storage;

namespace TaskGraph.Tests.Rules.Claims;

/// <summary>
/// A store decorator whose watch lags on purpose, so a read model over it is stale in a chosen way: changes of
/// <see cref="Hide"/>-n keys never reach it (the read model keeps their old view for good), and after <see cref="Pause"/>
/// the watch holds every change until someone asks the store's position (a read model catching up) or <see cref="Resume"/>.
/// Reads and writes go straight through.
/// </summary>
public sealed class LaggingStore(IRecordStore inner) : IRecordStore, ILivenessStore
{
    private readonly ConcurrentDictionary<string, bool> _hidden = new(StringComparer.Ordinal);
    private TaskCompletionSource _open = Open();
    private int _positionReads;

    /// <summary>How often the store's position was asked.</summary>
    public int PositionReads => Volatile.Read(ref _positionReads);

    /// <summary>Drops every later change of <paramref name="key"/> from the watch.</summary>
    public void Hide(string key) => _hidden[key] = true;

    /// <summary>Holds the watch's changes until the position is asked or <see cref="Resume"/>.</summary>
    public void Pause() => Volatile.Write(ref _open, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Lets held changes through.</summary>
    public void Resume() => Volatile.Read(ref _open).TrySetResult();

    /// <inheritdoc />
    public ValueTask<RecordEntry?> GetAsync(string key, CancellationToken cancellationToken = default) => inner.GetAsync(key, cancellationToken);

    /// <inheritdoc />
    public ValueTask<ulong> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        inner.CreateAsync(key, value, cancellationToken);

    /// <inheritdoc />
    public ValueTask<ulong> UpdateAsync(string key, ReadOnlyMemory<byte> value, ulong expectedRevision, CancellationToken cancellationToken = default) =>
        inner.UpdateAsync(key, value, expectedRevision, cancellationToken);

    /// <inheritdoc />
    public ValueTask<ulong> DeleteAsync(string key, ulong expectedRevision, CancellationToken cancellationToken = default) =>
        inner.DeleteAsync(key, expectedRevision, cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RecordEntry>> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

    /// <inheritdoc />
    public async IAsyncEnumerable<RecordChange> WatchAsync(ulong afterPosition, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var change in inner.WatchAsync(afterPosition, cancellationToken))
        {
            await Volatile.Read(ref _open).Task.WaitAsync(cancellationToken);
            if (!_hidden.ContainsKey(change.Key))
            {
                yield return change;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RecordChange>> HistoryAsync(string key, ulong afterRevision = 0, CancellationToken cancellationToken = default) => inner.HistoryAsync(key, afterRevision, cancellationToken);

    /// <inheritdoc />
    public ValueTask<ulong> GetPositionAsync(CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _positionReads);
        Resume();
        return inner.GetPositionAsync(cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Resume();
        return inner.DisposeAsync();
    }

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    public ValueTask<RecordEntry?> GetLiveAsync(string key, CancellationToken cancellationToken = default) => DurableLiveness.For(inner).GetLiveAsync(key, cancellationToken);

    public ValueTask<ulong> PutLiveAsync(string key, ReadOnlyMemory<byte> value, ulong expectedRevision, CancellationToken cancellationToken = default) =>
        DurableLiveness.For(inner).PutLiveAsync(key, value, expectedRevision, cancellationToken);

    public ValueTask RemoveLiveAsync(string key, CancellationToken cancellationToken = default) => DurableLiveness.For(inner).RemoveLiveAsync(key, cancellationToken);

    public ValueTask<IReadOnlyList<RecordEntry>> ListLiveAsync(string prefix, CancellationToken cancellationToken = default) => DurableLiveness.For(inner).ListLiveAsync(prefix, cancellationToken);
}
