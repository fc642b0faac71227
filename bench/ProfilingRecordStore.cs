using System.Diagnostics;
using TaskGraph.Core.Storage;

namespace TaskGraph.Bench;

/// <summary>A pass-through store that counts and times every round trip into a <see cref="StoreProfile"/>.</summary>
internal sealed class ProfilingRecordStore(IRecordStore inner, StoreProfile profile) : IRecordStore, ILivenessStore
{
    public async ValueTask<RecordEntry?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        var entry = await inner.GetAsync(key, cancellationToken).ConfigureAwait(false);
        profile.Get(start);
        return entry;
    }

    public async ValueTask<ulong> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            return await inner.CreateAsync(key, value, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            profile.Write(start);
        }
    }

    public async ValueTask<ulong> UpdateAsync(string key, ReadOnlyMemory<byte> value, ulong expectedRevision, CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            return await inner.UpdateAsync(key, value, expectedRevision, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            profile.Write(start);
        }
    }

    public async ValueTask<ulong> DeleteAsync(string key, ulong expectedRevision, CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            return await inner.DeleteAsync(key, expectedRevision, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            profile.Write(start);
        }
    }

    public async ValueTask<IReadOnlyList<RecordEntry>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        var list = await inner.ListAsync(prefix, cancellationToken).ConfigureAwait(false);
        profile.List(start);
        return list;
    }

    public IAsyncEnumerable<RecordChange> WatchAsync(ulong afterPosition, CancellationToken cancellationToken = default) =>
        inner.WatchAsync(afterPosition, cancellationToken);

    public ValueTask<IReadOnlyList<RecordChange>> HistoryAsync(string key, ulong afterRevision = 0, CancellationToken cancellationToken = default) =>
        inner.HistoryAsync(key, afterRevision, cancellationToken);

    public async ValueTask<ulong> GetPositionAsync(CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        var position = await inner.GetPositionAsync(cancellationToken).ConfigureAwait(false);
        profile.Position(start);
        return position;
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    public ValueTask<RecordEntry?> GetLiveAsync(string key, CancellationToken cancellationToken = default) => DurableLiveness.For(inner).GetLiveAsync(key, cancellationToken);

    public ValueTask<ulong> PutLiveAsync(string key, ReadOnlyMemory<byte> value, ulong expectedRevision, CancellationToken cancellationToken = default) =>
        DurableLiveness.For(inner).PutLiveAsync(key, value, expectedRevision, cancellationToken);

    public ValueTask RemoveLiveAsync(string key, CancellationToken cancellationToken = default) => DurableLiveness.For(inner).RemoveLiveAsync(key, cancellationToken);

    public ValueTask<IReadOnlyList<RecordEntry>> ListLiveAsync(string prefix, CancellationToken cancellationToken = default) => DurableLiveness.For(inner).ListLiveAsync(prefix, cancellationToken);
}
