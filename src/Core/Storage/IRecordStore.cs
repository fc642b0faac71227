namespace TaskGraph.Core.Storage;

/// <summary>
/// The store port: key-value records with revisions, the semantics JetStream KV has natively.
/// Every business rule lives above this contract; both stores implement exactly this.
/// </summary>
public interface IRecordStore : IAsyncDisposable
{
    /// <summary>Reads the current value of a key, or null when it does not exist or was deleted.</summary>
    ValueTask<RecordEntry?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Creates a key; throws <see cref="ConcurrencyConflictException"/> (expected revision 0) if it exists.</summary>
    ValueTask<ulong> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default);

    /// <summary>Compare-and-swap: writes only if the key's current revision equals <paramref name="expectedRevision"/>.</summary>
    ValueTask<ulong> UpdateAsync(string key, ReadOnlyMemory<byte> value, ulong expectedRevision, CancellationToken cancellationToken = default);

    /// <summary>Deletes a key (leaves a tombstone in the change log) only if its revision equals <paramref name="expectedRevision"/>.</summary>
    ValueTask<ulong> DeleteAsync(string key, ulong expectedRevision, CancellationToken cancellationToken = default);

    /// <summary>All live records whose key starts with <paramref name="prefix"/>, ordered by key.</summary>
    ValueTask<IReadOnlyList<RecordEntry>> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every change after <paramref name="afterPosition"/> in commit order (0 = from the very beginning), then live changes
    /// until cancelled. Positions are store-global and strictly increasing.
    /// </summary>
    IAsyncEnumerable<RecordChange> WatchAsync(ulong afterPosition, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every revision of one key after <paramref name="afterRevision"/> (0 = all of them), oldest first, including deletes.
    /// </summary>
    ValueTask<IReadOnlyList<RecordChange>> HistoryAsync(string key, ulong afterRevision = 0, CancellationToken cancellationToken = default);

    /// <summary>The position of the newest committed change (0 when the store is empty).</summary>
    ValueTask<ulong> GetPositionAsync(CancellationToken cancellationToken = default);
}
