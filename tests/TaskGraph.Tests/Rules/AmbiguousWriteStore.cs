using TaskGraph.Core.Storage;

namespace TaskGraph.Tests.Rules;

/// <summary>
/// A store decorator that makes chosen writes ambiguous, as a NATS write whose acknowledgement timed out is: the write is
/// performed (or, when <see cref="LoseWrites"/> is set, dropped) and the caller gets a <see cref="StoreUnavailableException"/>.
/// Reads of <see cref="FailReadsOf"/> can be made to time out as well, so that a caller's re-reads also fail.
/// </summary>
public sealed class AmbiguousWriteStore(IRecordStore inner) : IRecordStore, ILivenessStore
{
    private readonly Lock _gate = new();
    private int _ambiguousWrites;
    private int _failingReads;

    /// <summary>Which writes to make ambiguous: key and value as text; null = none.</summary>
    public Func<string, string, bool>? Matches { get; set; }

    /// <summary>Drop the matching write instead of applying it (a request that never reached the server).</summary>
    public bool LoseWrites { get; set; }

    /// <summary>The key whose reads time out while <see cref="FailReads"/> is above zero.</summary>
    public string? FailReadsOf { get; set; }

    /// <summary>How many matching writes are still to be made ambiguous.</summary>
    public int AmbiguousWrites
    {
        get => Volatile.Read(ref _ambiguousWrites);
        set => Volatile.Write(ref _ambiguousWrites, value);
    }

    /// <summary>How many reads of <see cref="FailReadsOf"/> still time out (counted down only after an ambiguous write).</summary>
    public int FailReads
    {
        get => Volatile.Read(ref _failingReads);
        set => Volatile.Write(ref _failingReads, value);
    }

    /// <summary>How many writes were made ambiguous so far.</summary>
    public int Provoked { get; private set; }

    /// <inheritdoc />
    public ValueTask<RecordEntry?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (key == FailReadsOf && Provoked > 0 && _failingReads > 0)
            {
                _failingReads--;
                throw new StoreUnavailableException($"read of '{key}' timed out (test)");
            }
        }

        return inner.GetAsync(key, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<ulong> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        WriteAsync(key, value, () => inner.CreateAsync(key, value, cancellationToken));

    /// <inheritdoc />
    public ValueTask<ulong> UpdateAsync(string key, ReadOnlyMemory<byte> value, ulong expectedRevision, CancellationToken cancellationToken = default) =>
        WriteAsync(key, value, () => inner.UpdateAsync(key, value, expectedRevision, cancellationToken));

    /// <inheritdoc />
    public ValueTask<ulong> DeleteAsync(string key, ulong expectedRevision, CancellationToken cancellationToken = default) =>
        WriteAsync(key, ReadOnlyMemory<byte>.Empty, () => inner.DeleteAsync(key, expectedRevision, cancellationToken));

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RecordEntry>> ListAsync(string prefix, CancellationToken cancellationToken = default) =>
        inner.ListAsync(prefix, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<RecordChange> WatchAsync(ulong afterPosition, CancellationToken cancellationToken = default) =>
        inner.WatchAsync(afterPosition, cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RecordChange>> HistoryAsync(string key, ulong afterRevision = 0, CancellationToken cancellationToken = default) =>
        inner.HistoryAsync(key, afterRevision, cancellationToken);

    /// <inheritdoc />
    public ValueTask<ulong> GetPositionAsync(CancellationToken cancellationToken = default) => inner.GetPositionAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private async ValueTask<ulong> WriteAsync(string key, ReadOnlyMemory<byte> value, Func<ValueTask<ulong>> write)
    {
        bool ambiguous;
        lock (_gate)
        {
            ambiguous = _ambiguousWrites > 0 && Matches?.Invoke(key, System.Text.Encoding.UTF8.GetString(value.Span)) == true;
            if (ambiguous)
            {
                _ambiguousWrites--;
            }
        }

        if (!ambiguous)
        {
            return await write();
        }

        if (!LoseWrites)
        {
            // Applied (a conflict surfaces as it would), but the answer never arrives.
            await write();
        }

        lock (_gate)
        {
            Provoked++;
        }

        throw new StoreUnavailableException($"write of '{key}' timed out (test); it may or may not have been applied");
    }

    public ValueTask<RecordEntry?> GetLiveAsync(string key, CancellationToken cancellationToken = default) => DurableLiveness.For(inner).GetLiveAsync(key, cancellationToken);

    public ValueTask<ulong> PutLiveAsync(string key, ReadOnlyMemory<byte> value, ulong expectedRevision, CancellationToken cancellationToken = default) =>
        DurableLiveness.For(inner).PutLiveAsync(key, value, expectedRevision, cancellationToken);

    public ValueTask RemoveLiveAsync(string key, CancellationToken cancellationToken = default) => DurableLiveness.For(inner).RemoveLiveAsync(key, cancellationToken);

    public ValueTask<IReadOnlyList<RecordEntry>> ListLiveAsync(string prefix, CancellationToken cancellationToken = default) => DurableLiveness.For(inner).ListLiveAsync(prefix, cancellationToken);
}
