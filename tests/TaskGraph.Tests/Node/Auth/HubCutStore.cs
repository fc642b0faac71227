using TaskGraph.Core.Storage;

namespace TaskGraph.Tests.Node.Auth;

/// <summary>A store decorator whose reads fail as an edge node's do while its hub is unreachable (<see cref="Cut"/>).</summary>
internal sealed class HubCutStore(IRecordStore inner) : IRecordStore
{
    public bool Cut { get; set; }

    public ValueTask<RecordEntry?> GetAsync(string key, CancellationToken cancellationToken = default) =>
        Cut ? throw new HubUnreachableException($"hub unreachable; the read of '{key}' was not sent", DateTimeOffset.UnixEpoch) : inner.GetAsync(key, cancellationToken);

    public ValueTask<ulong> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) => inner.CreateAsync(key, value, cancellationToken);

    public ValueTask<ulong> UpdateAsync(string key, ReadOnlyMemory<byte> value, ulong expectedRevision, CancellationToken cancellationToken = default) =>
        inner.UpdateAsync(key, value, expectedRevision, cancellationToken);

    public ValueTask<ulong> DeleteAsync(string key, ulong expectedRevision, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, expectedRevision, cancellationToken);

    public ValueTask<IReadOnlyList<RecordEntry>> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

    public IAsyncEnumerable<RecordChange> WatchAsync(ulong afterPosition, CancellationToken cancellationToken = default) => inner.WatchAsync(afterPosition, cancellationToken);

    public ValueTask<IReadOnlyList<RecordChange>> HistoryAsync(string key, ulong afterRevision = 0, CancellationToken cancellationToken = default) =>
        inner.HistoryAsync(key, afterRevision, cancellationToken);

    public ValueTask<ulong> GetPositionAsync(CancellationToken cancellationToken = default) => inner.GetPositionAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
