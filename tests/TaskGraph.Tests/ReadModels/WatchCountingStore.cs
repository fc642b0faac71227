using System.Runtime.CompilerServices;
using TaskGraph.Core.Storage;

namespace TaskGraph.Tests.ReadModels;

/// <summary>A store that counts the changes its watches delivered and where each watch began (everything else passes through).</summary>
internal sealed class WatchCountingStore(IRecordStore inner) : IRecordStore
{
    private long _delivered;

    /// <summary>Changes delivered by every watch so far.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>The <c>afterPosition</c> of every watch begun, in order.</summary>
    public List<ulong> WatchesFrom { get; } = [];

    public ValueTask<RecordEntry?> GetAsync(string key, CancellationToken cancellationToken = default) => inner.GetAsync(key, cancellationToken);

    public ValueTask<ulong> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        inner.CreateAsync(key, value, cancellationToken);

    public ValueTask<ulong> UpdateAsync(string key, ReadOnlyMemory<byte> value, ulong expectedRevision, CancellationToken cancellationToken = default) =>
        inner.UpdateAsync(key, value, expectedRevision, cancellationToken);

    public ValueTask<ulong> DeleteAsync(string key, ulong expectedRevision, CancellationToken cancellationToken = default) =>
        inner.DeleteAsync(key, expectedRevision, cancellationToken);

    public ValueTask<IReadOnlyList<RecordEntry>> ListAsync(string prefix, CancellationToken cancellationToken = default) =>
        inner.ListAsync(prefix, cancellationToken);

    public async IAsyncEnumerable<RecordChange> WatchAsync(ulong afterPosition, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        lock (WatchesFrom)
        {
            WatchesFrom.Add(afterPosition);
        }

        await foreach (var change in inner.WatchAsync(afterPosition, cancellationToken))
        {
            Interlocked.Increment(ref _delivered);
            yield return change;
        }
    }

    public ValueTask<IReadOnlyList<RecordChange>> HistoryAsync(string key, ulong afterRevision = 0, CancellationToken cancellationToken = default) =>
        inner.HistoryAsync(key, afterRevision, cancellationToken);

    public ValueTask<ulong> GetPositionAsync(CancellationToken cancellationToken = default) => inner.GetPositionAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
