namespace TaskGraph.Core.Storage;

/// <summary>
/// The volatile key space beside the durable one: values with per-key revisions for compare-and-swap, but no change
/// log, no history and no watch. Liveness (heartbeat deadlines, mark cursors) lives here, so 1,000 agents heartbeating
/// for a day add nothing to the durable log. On NATS a bucket keeping one revision per key; on SQLite a table outside
/// the change log. A store that has none gets <see cref="DurableLiveness"/>.
/// </summary>
public interface ILivenessStore
{
    /// <summary>The key's value, or null when it has none.</summary>
    ValueTask<RecordEntry?> GetLiveAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the key if its revision is <paramref name="expectedRevision"/> (0: only if it has no value); returns the new
    /// revision, or throws <see cref="ConcurrencyConflictException"/>.
    /// </summary>
    ValueTask<ulong> PutLiveAsync(string key, ReadOnlyMemory<byte> value, ulong expectedRevision, CancellationToken cancellationToken = default);

    /// <summary>Removes the key's value, whatever its revision (a no-op when it has none).</summary>
    ValueTask RemoveLiveAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Every value whose key starts with <paramref name="prefix"/>.</summary>
    ValueTask<IReadOnlyList<RecordEntry>> ListLiveAsync(string prefix, CancellationToken cancellationToken = default);
}
