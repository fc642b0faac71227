using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;

namespace TaskGraph.Core.Queries;

/// <summary>
/// The audit trail, read from the store's own log: every write stamped with an <see cref="AuditStamp"/> (records written
/// by a tool call), filtered by principal, tool and position. Deletes carry no body and so no stamp.
/// </summary>
public sealed class AuditLog(IRecordStore store)
{
    /// <summary>Stamped writes after <paramref name="since"/> up to the store's position at the call, oldest first.</summary>
    public async Task<IReadOnlyList<AuditEntry>> ReadAsync(ulong since, string? principal, string? tool, DateTimeOffset? from, int limit, CancellationToken cancellationToken)
    {
        var head = await store.GetPositionAsync(cancellationToken).ConfigureAwait(false);
        var entries = new List<AuditEntry>();
        if (since >= head)
        {
            return entries;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await foreach (var change in store.WatchAsync(since, linked.Token).ConfigureAwait(false))
        {
            var at = change.Kind == ChangeKind.Put ? RecordJson.ChangedAtOf(change.Value) ?? change.Timestamp.ToUnixTimeMilliseconds() : 0;
            if (change.Kind == ChangeKind.Put
                && (from is null || at >= from.Value.ToUnixTimeMilliseconds())
                && RecordJson.StampOf(change.Value) is { } stamp
                && (principal is null || stamp.Principal == principal)
                && (tool is null || stamp.Tool == tool))
            {
                entries.Add(new AuditEntry(change.Position, at, change.Key, stamp));
            }

            if (change.Position >= head || entries.Count >= limit)
            {
                break;
            }
        }

        return entries;
    }
}
