namespace TaskGraph.Core.Storage;

/// <summary>
/// Liveness kept in the durable store itself (keys as given, in its change log): for stores without a volatile key
/// space of their own (test wrappers, older embeddings). Same semantics, none of the savings.
/// </summary>
public sealed class DurableLiveness(IRecordStore store) : ILivenessStore
{
    /// <summary>The store's own volatile key space, or this fallback over it.</summary>
    public static ILivenessStore For(IRecordStore store) => store as ILivenessStore ?? new DurableLiveness(store);

    /// <inheritdoc />
    public ValueTask<RecordEntry?> GetLiveAsync(string key, CancellationToken cancellationToken = default) => store.GetAsync(key, cancellationToken);

    /// <inheritdoc />
    public ValueTask<ulong> PutLiveAsync(string key, ReadOnlyMemory<byte> value, ulong expectedRevision, CancellationToken cancellationToken = default) =>
        expectedRevision == 0 ? store.CreateAsync(key, value, cancellationToken) : store.UpdateAsync(key, value, expectedRevision, cancellationToken);

    /// <inheritdoc />
    public async ValueTask RemoveLiveAsync(string key, CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            if (await store.GetAsync(key, cancellationToken).ConfigureAwait(false) is not { } entry)
            {
                return;
            }

            try
            {
                await store.DeleteAsync(key, entry.Revision, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (ConcurrencyConflictException)
            {
                // Written meanwhile: read again.
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RecordEntry>> ListLiveAsync(string prefix, CancellationToken cancellationToken = default) => store.ListAsync(prefix, cancellationToken);
}
