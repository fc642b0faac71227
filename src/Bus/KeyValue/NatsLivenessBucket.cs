using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;
using TaskGraph.Core.Storage;

namespace TaskGraph.Bus.KeyValue;

/// <summary>
/// The volatile key space of a graph on NATS (<see cref="ILivenessStore"/>): a KV bucket <c>tgl_&lt;graph&gt;</c> that keeps
/// one revision per key, with the graph's replicas. Its messages never enter the graph's change log, so heartbeats
/// leave history, the read models and the change fan-out alone.
/// </summary>
/// <remarks>
/// With a <see cref="NatsDomainWriter"/> (a graph in a named JetStream domain) writes go through it: the client's KV writes
/// ignore the domain. Reads and the listing watch go through the KV API, which follows the context's domain.
/// </remarks>
internal sealed class NatsLivenessBucket(INatsKVStore kv, NatsDomainWriter? writer)
{
    private const int WrongLastSequenceError = 10071;

    private static readonly NatsRawSerializer<byte[]> Raw = NatsRawSerializer<byte[]>.Default;

    /// <summary>The bucket name of a graph's liveness.</summary>
    public static string BucketOf(string graph) => "tgl_" + graph;

    /// <summary>Creates or binds the bucket.</summary>
    public static async Task<NatsLivenessBucket> EnsureAsync(NatsJSContext js, string graph, int replicas, NatsDomainWriter? writer, CancellationToken cancellationToken)
    {
        var context = new NatsKVContext(js);
        var config = new NatsKVConfig(BucketOf(graph))
        {
            Description = $"TaskGraph liveness of graph {graph} (heartbeats, mark cursors; no history)",
            History = 1,
            NumberOfReplicas = replicas,
            Storage = NatsKVStorageType.File,
        };
        try
        {
            return new NatsLivenessBucket(await context.CreateStoreAsync(config, cancellationToken).ConfigureAwait(false), writer);
        }
        catch (NatsJSApiException ex) when (ex.Error.ErrCode == 10058)
        {
            // Another node created it first (stream name in use): bind it.
            return new NatsLivenessBucket(await context.GetStoreAsync(config.Bucket, cancellationToken).ConfigureAwait(false), writer);
        }
    }

    public async ValueTask<RecordEntry?> GetAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            var entry = await kv.GetEntryAsync(key, serializer: Raw, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new RecordEntry(key, entry.Value ?? [], entry.Revision, entry.Created);
        }
        catch (Exception ex) when (ex is NatsKVKeyNotFoundException or NatsKVKeyDeletedException)
        {
            return null;
        }
        catch (Exception ex) when (IsOutage(ex, cancellationToken))
        {
            throw Unavailable("read", key, ex);
        }
    }

    public async ValueTask<ulong> PutAsync(string key, ReadOnlyMemory<byte> value, ulong expectedRevision, CancellationToken cancellationToken)
    {
        if (writer is not null)
        {
            return await DomainPutAsync(key, value, expectedRevision, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return expectedRevision == 0
                ? await kv.CreateAsync(key, value.ToArray(), Raw, cancellationToken).ConfigureAwait(false)
                : await kv.UpdateAsync(key, value.ToArray(), expectedRevision, Raw, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NatsKVCreateException or NatsKVWrongLastRevisionException)
        {
            throw new ConcurrencyConflictException(key, expectedRevision);
        }
        catch (Exception ex) when (IsOutage(ex, cancellationToken))
        {
            throw Unavailable("write", key, ex);
        }
    }

    public async ValueTask RemoveAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            // A purge keeps no tombstone history beyond the one marker; the bucket stays one message per worker at most.
            if (writer is not null)
            {
                var purge = new NatsHeaders { { "KV-Operation", "PURGE" }, { "Nats-Rollup", "sub" } };
                var ack = await writer.PublishAsync(Subject(key), ReadOnlyMemory<byte>.Empty, null, purge, cancellationToken).ConfigureAwait(false);
                if (ack.Error is { } error)
                {
                    throw new NatsJSApiException(error);
                }
            }
            else
            {
                await kv.PurgeAsync(key, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (IsOutage(ex, cancellationToken))
        {
            throw Unavailable("removal", key, ex);
        }
    }

    public async ValueTask<IReadOnlyList<RecordEntry>> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        // By key, newest revision kept: a put during the listing, or an ordered consumer that reset mid-way, can deliver
        // a key twice (measured on an R3 cluster: a heartbeat racing the sweeper's listing).
        var entries = new Dictionary<string, RecordEntry>(StringComparer.Ordinal);
        try
        {
            var lastDot = prefix.LastIndexOf('.');
            var filter = lastDot < 0 ? ">" : prefix[..(lastDot + 1)] + ">";
            var opts = new NatsKVWatchOpts { IgnoreDeletes = true, OnNoData = _ => ValueTask.FromResult(true) };
            await foreach (var entry in kv.WatchAsync(filter, Raw, opts, cancellationToken).ConfigureAwait(false))
            {
                if (entry.Key.StartsWith(prefix, StringComparison.Ordinal) && entry.Operation == NatsKVOperation.Put)
                {
                    if (!entries.TryGetValue(entry.Key, out var seen) || seen.Revision < entry.Revision)
                    {
                        entries[entry.Key] = new RecordEntry(entry.Key, entry.Value ?? [], entry.Revision, entry.Created);
                    }
                }

                if (entry.Delta == 0)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (IsOutage(ex, cancellationToken))
        {
            throw Unavailable("list", prefix, ex);
        }

        return [.. entries.Values];
    }

    /// <summary>
    /// A create (expected revision 0: a key without a value, or whose last message is a purge or delete marker, which the
    /// write then replaces by CAS on its revision) or an update, sent into the domain.
    /// </summary>
    private async ValueTask<ulong> DomainPutAsync(string key, ReadOnlyMemory<byte> value, ulong expectedRevision, CancellationToken cancellationToken)
    {
        try
        {
            var ack = await writer!.PublishAsync(Subject(key), value, expectedRevision, null, cancellationToken).ConfigureAwait(false);
            if (ack.Error is { ErrCode: WrongLastSequenceError } && expectedRevision == 0)
            {
                var marker = await LastMarkerRevisionAsync(key, cancellationToken).ConfigureAwait(false);
                ack = marker is { } revision
                    ? await writer.PublishAsync(Subject(key), value, revision, null, cancellationToken).ConfigureAwait(false)
                    : ack;
            }

            return ack.Error switch
            {
                null => ack.Seq,
                { ErrCode: WrongLastSequenceError } => throw new ConcurrencyConflictException(key, expectedRevision),
                { } error => throw new NatsJSApiException(error),
            };
        }
        catch (Exception ex) when (IsOutage(ex, cancellationToken))
        {
            throw Unavailable("write", key, ex);
        }
    }

    /// <summary>The revision of the key's last message when it is a delete or purge marker; null when it holds a value.</summary>
    private async ValueTask<ulong?> LastMarkerRevisionAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await kv.GetEntryAsync(key, serializer: Raw, cancellationToken: cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (NatsKVKeyDeletedException deleted)
        {
            return deleted.Revision;
        }
        catch (NatsKVKeyNotFoundException)
        {
            return null;
        }
    }

    private string Subject(string key) => "$KV." + kv.Bucket + "." + key;

    private static bool IsOutage(Exception ex, CancellationToken cancellationToken) =>
        ex is NatsException or TimeoutException && !cancellationToken.IsCancellationRequested;

    private static StoreUnavailableException Unavailable(string what, string key, Exception ex) =>
        new($"NATS liveness {what} of '{key}' failed: {ex.Message}", ex);
}
