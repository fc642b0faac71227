using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Client.KeyValueStore;
using TaskGraph.Bus.Connection;
using TaskGraph.Core.Storage;

namespace TaskGraph.Bus.KeyValue;

/// <summary>
/// The record store of one graph on NATS JetStream: one KV bucket <c>tg_&lt;graph&gt;</c> whose stream keeps every
/// revision of every key (no per-key history limit). State, watch and history all read that one stream, so they never
/// disagree and nothing is written twice: revision = position = stream sequence.
/// </summary>
/// <remarks>
/// Why no separate history stream: on nats-server 2.9.10 both ways of copying the KV stream lose or stall in an R3
/// cluster. A sourcing stream re-checks the copied <c>Nats-Expected-Last-Subject-Sequence</c> header against its own
/// sequences and stalls for good ("last sequence by subject mismatch", 10 of 15 runs of 400 CAS writes); a mirror
/// skipped 116 acknowledged revisions across a kill -9 of one node. The per-key limit of 64 is a client-side KV
/// convention, not a server limit, so the bucket's stream itself is the log.
/// </remarks>
public sealed partial class NatsRecordStore : IRecordStore, ILivenessStore, IBlobStore, IStoreLink
{
    private const int WrongLastSequenceError = 10071;
    private const int NoMessageFoundError = 10037;
    private const int StreamNotFoundError = 10059;
    private const int StreamNameInUseError = 10058;
    private const int FetchBatch = 512;

    // An edge watch that delivers nothing for this many checks while the hub is ahead is started afresh.
    private const int StallChecks = 3;
    private static readonly TimeSpan StallCheckInterval = TimeSpan.FromSeconds(1);

    // Revisions after a known one read one message-get at a time before a consumer is worth its creation (a cluster-wide
    // request on the meta leader); and the most a leader read adds after a consumer pass.
    private const int ShortHistory = 32;
    private const int LeaderTailLimit = 10_000;

    // "Every revision" that NATS clients still accept as a KV bucket (NATS.Net refuses to bind when the limit is < 1).
    private const long UnboundedHistory = int.MaxValue;

    private static readonly NatsRawSerializer<byte[]> RawBytes = NatsRawSerializer<byte[]>.Default;
    private static readonly NatsRawSerializer<ReadOnlyMemory<byte>> RawMemory = NatsRawSerializer<ReadOnlyMemory<byte>>.Default;

    private readonly NatsConnection _connection;
    private readonly NatsJSContext _js;
    private readonly INatsJSStream _kvStream;
    private readonly NatsStoreNames _names;
    private readonly NatsStoreOptions _options;
    private readonly ILogger _logger;
    private readonly bool _casFence;
    private readonly NatsLivenessBucket _live;
    private readonly ObjectStore.NatsBlobBucket _blobs;
    private readonly NatsDomainWriter? _writer;
    private readonly NatsHubLink? _link;

    private NatsRecordStore(
        NatsConnection connection,
        NatsJSContext js,
        INatsJSStream kvStream,
        NatsStoreNames names,
        NatsStoreOptions options,
        ILogger logger,
        bool casFence,
        int requestedReplicas,
        NatsLivenessBucket live,
        NatsDomainWriter? writer,
        NatsHubLink? link)
    {
        _writer = writer;
        _link = link;
        _live = live;
        _blobs = new ObjectStore.NatsBlobBucket(js, names.Graph, kvStream.Info.Config.NumReplicas);
        _connection = connection;
        _js = js;
        _kvStream = kvStream;
        _names = names;
        _options = options;
        _logger = logger;
        _casFence = casFence;
        RequestedReplicas = requestedReplicas;
    }

    /// <summary>The graph this store holds.</summary>
    public string Graph => _names.Graph;

    /// <summary>The KV bucket name (<c>tg_&lt;graph&gt;</c>).</summary>
    public string BucketName => _names.Bucket;

    /// <summary>
    /// Replicas the graph's stream actually has (read back from the server after any scaling). Less than
    /// <see cref="RequestedReplicas"/> when the server refused to scale an existing stream.
    /// </summary>
    public int Replicas => _kvStream.Info.Config.NumReplicas;

    /// <summary>
    /// True when the bucket is replicated on nats-server older than 2.10, whose replicas can disagree for good after a
    /// server is killed and restarted (measured in ADR 0006; upstream nats-server#4174 and #5362, fixed in 2.10).
    /// </summary>
    public bool ReplicasMayDiverge => Replicas > 1 && IsBefore210(_connection.ServerInfo?.Version);

    /// <summary>Replicas asked for: the configured count, or the automatic choice (3 from three servers on, else 1).</summary>
    public int RequestedReplicas { get; }

    /// <summary>True when compare-and-swap writes are guarded by fence keys (replicated buckets on servers before 2.10).</summary>
    public bool UsesCasFence => _casFence;

    /// <summary>The connection (tests find out which server it talks to).</summary>
    internal NatsConnection Connection => _connection;

    /// <summary>
    /// Connects and creates or binds the bucket and its change log; idempotent, so several nodes may open the same graph
    /// at once. Retries while the servers are unreachable or JetStream has no leader yet, up to <see cref="NatsStoreOptions.OpenTimeout"/>.
    /// </summary>
    public static async Task<NatsRecordStore> OpenAsync(NatsStoreOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var names = NatsStoreNames.For(options.Graph);
        if (options.Replicas is not null and (< 1 or > 5))
        {
            throw new ArgumentException("Replicas must be between 1 and 5.", nameof(options));
        }

        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<NatsRecordStore>();
        // The store owns the connection from here: disposed below when opening fails, by the store otherwise.
#pragma warning disable CA2000
        var connection = NatsConnectionFactory.Create(options, loggerFactory);
#pragma warning restore CA2000
        NatsHubLink? link = null;
        try
        {
            var js = new NatsJSContext(connection, new NatsJSOpts(connection.Opts, requestTimeout: options.RequestTimeout, domain: options.Domain));
            var started = Stopwatch.GetTimestamp();
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    // Which domain the graph is in, and whether this node reaches it across a leaf node (an edge site);
                    // then one JetStream round trip there: the connection is up (its INFO known) and JetStream answers.
                    var isEdge = await NatsDomains.ResolveAsync(connection, options, cancellationToken).ConfigureAwait(false);
                    await js.GetAccountInfoAsync(cancellationToken).ConfigureAwait(false);
                    // The leaf's own server count says nothing of the hub's: with automatic replicas an edge node makes a
                    // missing bucket as any node does (R3, else R1) but takes an existing one as the hub has it; an
                    // explicit count is left to the hub to place or refuse.
                    var (wanted, servers) = isEdge
                        ? (options.Replicas ?? NatsReplicas.ClusterReplicas, (int?)null)
                        : await NatsReplicas.ResolveAsync(connection, options.Replicas, names.Graph, cancellationToken).ConfigureAwait(false);
                    var edgeAuto = isEdge && options.Replicas is null;
                    var kvStream = await EnsureBucketAsync(js, names, wanted, options.Replicas is not null, servers, !edgeAuto, logger, cancellationToken).ConfigureAwait(false);
                    var replicas = kvStream.Info.Config.NumReplicas;
                    wanted = edgeAuto ? replicas : wanted;
                    var casFence = options.CasFence ?? (replicas > 1 && IsBefore210(connection.ServerInfo?.Version));
                    if (casFence)
                    {
                        await EnsureFenceBucketAsync(js, names, options, replicas, logger, cancellationToken).ConfigureAwait(false);
                    }

                    var writer = options.Domain is { } domain ? new NatsDomainWriter(connection, domain, options.RequestTimeout) : null;
                    var live = await NatsLivenessBucket.EnsureAsync(js, names.Graph, replicas, writer, cancellationToken).ConfigureAwait(false);
                    LogOpened(logger, names.Bucket, replicas, wanted, casFence);
                    if (isEdge)
                    {
                        // The store owns the link: disposed below when opening fails, by the store otherwise.
#pragma warning disable CA2000
                        link = new NatsHubLink(js, options.Domain!, names.KvStream, options.HubProbeInterval, options.RequestTimeout, TimeProvider.System, logger);
#pragma warning restore CA2000
                        link.Start();
                        LogEdge(logger, names.Bucket, options.Domain!);
                    }

                    return new NatsRecordStore(connection, js, kvStream, names, options, logger, casFence, wanted, live, writer, link);
                }
                catch (Exception ex) when (IsTransient(ex, cancellationToken) && Stopwatch.GetElapsedTime(started) < options.OpenTimeout)
                {
                    LogOpenRetry(logger, names.Bucket, attempt, ex.Message);
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(50 * attempt, 1000)), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (IsTransient(ex, cancellationToken))
                {
                    throw new StoreUnavailableException($"NATS store for graph '{names.Graph}' could not be opened within {options.OpenTimeout}.", ex);
                }
            }
        }
        catch
        {
            if (link is not null)
            {
                await link.DisposeAsync().ConfigureAwait(false);
            }

            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public bool IsEdge => _link is not null;

    /// <inheritdoc />
    public DateTimeOffset? StaleSince => _link?.StaleSince;

    /// <inheritdoc />
    public async ValueTask<RecordEntry?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        ThrowIfDisconnected("read", key);
        NatsStoreNames.ValidateKey(key);
        var last = await GetLastAsync(key, cancellationToken).ConfigureAwait(false);
        return last is null || KvHeaders.IsDelete(KvHeaders.FindInRaw(last.Hdrs, KvHeaders.Operation))
            ? null
            : new RecordEntry(key, last.Data, last.Seq, last.Time);
    }

    /// <inheritdoc />
    public async ValueTask<ulong> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        ThrowIfDisconnected("write", key);
        NatsStoreNames.ValidateKey(key);
        if (await TryWriteAsync(key, value, 0, null, cancellationToken).ConfigureAwait(false) is { } revision)
        {
            return revision;
        }

        // The key has a message. A tombstone may be overwritten by a CAS on its own revision; a live value means we lost.
        var last = await GetLastAsync(key, cancellationToken).ConfigureAwait(false);
        if (last is not null
            && KvHeaders.IsDelete(KvHeaders.FindInRaw(last.Hdrs, KvHeaders.Operation))
            && await TryCasAsync(key, value, last.Seq, null, cancellationToken).ConfigureAwait(false) is { } recreated)
        {
            return recreated;
        }

        throw new ConcurrencyConflictException(key, 0);
    }

    /// <inheritdoc />
    /// <remarks>
    /// As in JetStream KV, the revision of a delete is itself a valid expected revision: updating with the tombstone's
    /// revision (known only from <see cref="DeleteAsync"/> or the log) writes the key again.
    /// </remarks>
    public async ValueTask<ulong> UpdateAsync(string key, ReadOnlyMemory<byte> value, ulong expectedRevision, CancellationToken cancellationToken = default)
    {
        ThrowIfDisconnected("write", key);
        NatsStoreNames.ValidateKey(key);
        if (expectedRevision == 0)
        {
            // Revision 0 would mean "absent" to JetStream and turn the update into a create.
            throw new ConcurrencyConflictException(key, 0);
        }

        return await TryCasAsync(key, value, expectedRevision, null, cancellationToken).ConfigureAwait(false)
            ?? throw new ConcurrencyConflictException(key, expectedRevision);
    }

    /// <inheritdoc />
    public async ValueTask<ulong> DeleteAsync(string key, ulong expectedRevision, CancellationToken cancellationToken = default)
    {
        ThrowIfDisconnected("write", key);
        NatsStoreNames.ValidateKey(key);
        if (expectedRevision == 0)
        {
            throw new ConcurrencyConflictException(key, 0);
        }

        // Published by hand (not INatsKVStore.DeleteAsync) because the tombstone's revision is what we must return.
        var headers = new NatsHeaders { { KvHeaders.Operation, "DEL" } };
        return await TryCasAsync(key, ReadOnlyMemory<byte>.Empty, expectedRevision, headers, cancellationToken).ConfigureAwait(false)
            ?? throw new ConcurrencyConflictException(key, expectedRevision);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<RecordEntry>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        ThrowIfDisconnected("list", prefix);
        ArgumentNullException.ThrowIfNull(prefix);
        NatsStoreNames.ValidatePrefix(prefix);

        // Wildcards only match whole tokens, so filter on the prefix's complete tokens and compare the rest here.
        var lastDot = prefix.LastIndexOf('.');
        var filter = _names.SubjectPrefix + (lastDot < 0 ? ">" : prefix[..(lastDot + 1)] + ">");
        var entries = new Dictionary<string, RecordEntry>(StringComparer.Ordinal);
        ulong next = 1;
        void Take(string subject, ulong sequence, bool deleted, ReadOnlyMemory<byte> data, DateTimeOffset time)
        {
            var key = _names.KeyOf(subject);
            next = Math.Max(next, sequence + 1);
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
            {
                return;
            }

            if (deleted)
            {
                entries.Remove(key);
            }
            else
            {
                entries[key] = new RecordEntry(key, data, sequence, time);
            }
        }

        var config = new ConsumerConfig { DeliverPolicy = ConsumerConfigDeliverPolicy.LastPerSubject, FilterSubject = filter };
        await ReadAllAsync(_names.KvStream, config, "list " + prefix, msg =>
        {
            var metadata = msg.Metadata ?? throw new InvalidOperationException("A KV message has no JetStream metadata.");
            Take(msg.Subject, metadata.Sequence.Stream, KvHeaders.IsDelete(KvHeaders.OperationOf(msg.Headers)), msg.Data ?? [], metadata.Timestamp);
        }, cancellationToken).ConfigureAwait(false);

        // The consumer may live on a replica that lags the leader; what the leader has after it completes the list.
        await ReadLeaderAsync(filter, next, LeaderTailLimit, "list " + prefix, m =>
            Take(m.Subject, m.Seq, IsDeleteMessage(m), m.Data, m.Time), cancellationToken).ConfigureAwait(false);
        var list = entries.Values.ToList();
        list.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return list;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Reads the bucket's stream with an ordered consumer (it survives reconnects and server restarts). A change is
    /// delivered asynchronously, usually within a millisecond of its acknowledgement; a caller waiting for its own write
    /// must wait until it sees the key at a revision at least the one it wrote.
    /// </remarks>
    public async IAsyncEnumerable<RecordChange> WatchAsync(ulong afterPosition, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Across a leaf node, an ordered consumer never resumes after the uplink returns: end the watch when the link
        // drops (the caller starts it again from where it was), and when it stalls behind the hub's position.
        ThrowIfHubUnreachable("watch", _names.KvStream);
        using var watching = _link is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _link.Epoch);
        var delivered = new StrongBox<ulong>(afterPosition);
        using var stallCheck = _link is null ? null : StartStallCheck(watching!, delivered);
        var watchToken = watching?.Token ?? cancellationToken;
        var opts = afterPosition == 0
            ? new NatsJSOrderedConsumerOpts { DeliverPolicy = ConsumerConfigDeliverPolicy.All }
            : new NatsJSOrderedConsumerOpts { DeliverPolicy = ConsumerConfigDeliverPolicy.ByStartSequence, OptStartSeq = afterPosition + 1 };
        INatsJSConsumer consumer;
        try
        {
            consumer = await _js.CreateOrderedConsumerAsync(_names.KvStream, opts, watchToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTransient(ex, cancellationToken))
        {
            throw Unavailable("watch", _names.KvStream, ex);
        }

        var messages = consumer.ConsumeAsync(RawBytes, cancellationToken: watchToken).GetAsyncEnumerator(watchToken);
        await using (messages.ConfigureAwait(false))
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await messages.MoveNextAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (IsTransient(ex, cancellationToken))
                {
                    throw Unavailable("watch", _names.KvStream, ex);
                }

                if (!more)
                {
                    // NATS.Net ends a consumer quietly when its token is cancelled: a link that dropped or a stalled
                    // watch must still reach the caller as an outage, so that it starts the watch again.
                    if (watching is { IsCancellationRequested: true } && !cancellationToken.IsCancellationRequested)
                    {
                        throw _link!.StaleSince is { } since
                            ? HubUnreachable("watch", _names.KvStream, since, null)
                            : new StoreUnavailableException($"The watch of graph '{_names.Graph}' across JetStream domain {_options.Domain} stalled; it starts again.");
                    }

                    yield break;
                }

                var change = ToChange(messages.Current);
                Volatile.Write(ref delivered.Value, change.Position);
                yield return change;
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>Reads the bucket's stream filtered by the key's subject; every revision is kept.</remarks>
    public async ValueTask<IReadOnlyList<RecordChange>> HistoryAsync(string key, ulong afterRevision = 0, CancellationToken cancellationToken = default)
    {
        ThrowIfDisconnected("history", key);
        NatsStoreNames.ValidateKey(key);
        var subject = _names.Subject(key);
        var what = "history " + key;
        var changes = new List<RecordChange>();

        // A revision is the stream sequence. A short history after a known revision (the usual catch-up) is read from
        // the stream leader one message at a time; a full or long one by a consumer, then completed from the leader.
        var next = afterRevision + 1;
        if (afterRevision > 0)
        {
            next = await ReadLeaderAsync(subject, next, ShortHistory, what, m => changes.Add(ToChange(m)), cancellationToken).ConfigureAwait(false);
            if (changes.Count < ShortHistory)
            {
                return changes;
            }
        }

        var config = next == 1
            ? new ConsumerConfig { DeliverPolicy = ConsumerConfigDeliverPolicy.All, FilterSubject = subject }
            : new ConsumerConfig { DeliverPolicy = ConsumerConfigDeliverPolicy.ByStartSequence, OptStartSeq = next, FilterSubject = subject };
        await ReadAllAsync(_names.KvStream, config, what, msg =>
        {
            var change = ToChange(msg);
            changes.Add(change);
            next = change.Position + 1;
        }, cancellationToken).ConfigureAwait(false);
        await ReadLeaderAsync(subject, next, LeaderTailLimit, what, m => changes.Add(ToChange(m)), cancellationToken).ConfigureAwait(false);
        return changes;
    }

    /// <inheritdoc />
    /// <remarks>
    /// The last sequence of the bucket's stream, which is the newest revision, from one stream-info request. The stream
    /// leader answers it, so it includes every acknowledged write; a direct get of the last message could be answered by
    /// a lagging replica, and a message get of the last one by wildcard measured slower (123 vs 87 us raw on 2.9.10).
    /// </remarks>
    public async ValueTask<ulong> GetPositionAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisconnected("position", _names.KvStream);
        try
        {
            var info = await _js.GetStreamAsync(_names.KvStream, cancellationToken: cancellationToken).ConfigureAwait(false);
            return info.Info.State.LastSeq;
        }
        catch (Exception ex) when (IsTransient(ex, cancellationToken))
        {
            throw Unavailable("position", _names.KvStream, ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_link is not null)
        {
            await _link.DisposeAsync().ConfigureAwait(false);
        }

        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    string IBlobStore.Location => _blobs.Location;

    /// <inheritdoc />
    bool IBlobStore.IsLocalDirectory => false;

    /// <inheritdoc />
    Task IBlobStore.PutAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ThrowIfHubUnreachable("blob write", name);
        return _blobs.PutAsync(name, data, cancellationToken);
    }

    /// <inheritdoc />
    Task<byte[]?> IBlobStore.GetAsync(string name, CancellationToken cancellationToken)
    {
        ThrowIfHubUnreachable("blob read", name);
        return _blobs.GetAsync(name, cancellationToken);
    }

    /// <inheritdoc />
    Task<bool> IBlobStore.DeleteAsync(string name, CancellationToken cancellationToken)
    {
        ThrowIfHubUnreachable("blob delete", name);
        return _blobs.DeleteAsync(name, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<RecordEntry?> GetLiveAsync(string key, CancellationToken cancellationToken = default)
    {
        ThrowIfDisconnected("read", key);
        NatsStoreNames.ValidateKey(key);
        return _live.GetAsync(key, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<ulong> PutLiveAsync(string key, ReadOnlyMemory<byte> value, ulong expectedRevision, CancellationToken cancellationToken = default)
    {
        ThrowIfDisconnected("write", key);
        NatsStoreNames.ValidateKey(key);
        return _live.PutAsync(key, value, expectedRevision, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask RemoveLiveAsync(string key, CancellationToken cancellationToken = default)
    {
        ThrowIfDisconnected("write", key);
        NatsStoreNames.ValidateKey(key);
        return _live.RemoveAsync(key, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RecordEntry>> ListLiveAsync(string prefix, CancellationToken cancellationToken = default)
    {
        ThrowIfDisconnected("list", prefix);
        ArgumentNullException.ThrowIfNull(prefix);
        return _live.ListAsync(prefix, cancellationToken);
    }

    private static async Task<INatsJSStream> EnsureBucketAsync(
        NatsJSContext js, NatsStoreNames names, int replicas, bool isExplicit, int? servers, bool scaleExisting, ILogger logger, CancellationToken cancellationToken)
    {
        // The stream a KV bucket is made of (same name, subjects and flags as NATS clients create), except that it keeps
        // every revision: clients cap KV history at 64, the server does not.
        var bucket = new StreamConfig(names.KvStream, [names.SubjectPrefix + ">"])
        {
            Description = $"TaskGraph records of graph {names.Graph}; keeps every revision (history and change log)",
            MaxMsgsPerSubject = UnboundedHistory,
            MaxMsgs = -1,
            MaxBytes = -1,
            MaxMsgSize = -1,
            DuplicateWindow = TimeSpan.FromMinutes(2),
            Storage = StreamConfigStorage.File,
            NumReplicas = replicas,
            Retention = StreamConfigRetention.Limits,
            Discard = StreamConfigDiscard.New,
            AllowRollupHdrs = true,
            DenyDelete = true,
            DenyPurge = false,
            AllowDirect = true,

            // Change fan-out without a second write: the server republishes every committed revision, exactly once and
            // in commit order, as taskgraph.<graph>.events.<kind>.<id> (a record key is <kind>.<id>).
            Republish = new Republish { Src = names.SubjectPrefix + ">", Dest = names.EventSubjectPrefix + ">" },
        };
        INatsJSStream stream;
        try
        {
            stream = await js.CreateStreamAsync(bucket, cancellationToken).ConfigureAwait(false);
        }
        catch (NatsJSApiException ex) when (NatsReplicas.IsPlacementRefusal(ex) && isExplicit)
        {
            throw NatsReplicas.TooFewServers(names.Graph, replicas, servers, ex.Error.Description);
        }
        catch (NatsJSApiException ex) when (NatsReplicas.IsPlacementRefusal(ex) && replicas > 1)
        {
            // Automatic mode counted three servers but they cannot place three replicas now (one down, or not all run
            // JetStream): start on one replica; the next start scales the stream up once they can.
            LogAutoFallback(logger, names.KvStream, replicas, ex.Error.Description ?? string.Empty);
            stream = await js.CreateStreamAsync(bucket with { NumReplicas = 1 }, cancellationToken).ConfigureAwait(false);
        }
        catch (NatsJSApiException ex) when (ex.Error.ErrCode == StreamNameInUseError)
        {
            // Created earlier with other settings (another version, an operator): use it as it is, except for its
            // replica count, which follows the asked one where the server allows.
            LogBoundExisting(logger, names.KvStream, ex.Error.Description ?? string.Empty);
            stream = await js.GetStreamAsync(names.KvStream, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (scaleExisting)
            {
                stream = await NatsReplicas.ScaleAsync(js, stream, replicas, isExplicit, logger, cancellationToken).ConfigureAwait(false);
            }
        }

        if (stream.Info.Config.MaxMsgsPerSubject is > 0 and < UnboundedHistory)
        {
            LogHistoryLimited(logger, names.KvStream, stream.Info.Config.MaxMsgsPerSubject);
        }

        return stream;
    }

    /// <summary>
    /// A CAS write on an existing revision (> 0); returns the new revision, or null when it lost. With the fence on, the
    /// writer must first create the fence key "successor of <paramref name="expectedRevision"/>": creates are checked when
    /// the replicas apply them, so only one writer per revision ever sends the CAS. nats-server 2.9 checks an expected
    /// revision > 0 only on the leader before proposing (fixed in 2.10.0, nats-server#4320); two in-flight writes that
    /// expect the same revision both succeed there (measured: 400 acknowledged increments, counter at 74).
    /// </summary>
    private async ValueTask<ulong?> TryCasAsync(string key, ReadOnlyMemory<byte> value, ulong expectedRevision, NatsHeaders? headers, CancellationToken cancellationToken)
    {
        if (_casFence)
        {
            var fenced = Stopwatch.GetTimestamp();
            if (await TryWriteAsync(_names.FenceSubject(key, expectedRevision), key, ReadOnlyMemory<byte>.Empty, 0, null, cancellationToken).ConfigureAwait(false) is null)
            {
                return null;
            }

            // A fence that may have expired no longer excludes others: give up rather than race.
            if (Stopwatch.GetElapsedTime(fenced) > _options.CasFenceTtl / 2)
            {
                throw new StoreUnavailableException($"Write of '{key}' in graph '{_names.Graph}' took longer than half the CAS fence lifetime; not sent.");
            }
        }

        return await TryWriteAsync(_names.Subject(key), key, value, expectedRevision, headers, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A CAS write; returns the new revision, or null when the expected revision was wrong.</summary>
    private ValueTask<ulong?> TryWriteAsync(string key, ReadOnlyMemory<byte> value, ulong expectedRevision, NatsHeaders? headers, CancellationToken cancellationToken) =>
        TryWriteAsync(_names.Subject(key), key, value, expectedRevision, headers, cancellationToken);

    /// <summary>A CAS publish to <paramref name="subject"/>; returns the stream sequence, or null when the expected one was wrong.</summary>
    private async ValueTask<ulong?> TryWriteAsync(
        string subject, string key, ReadOnlyMemory<byte> value, ulong expectedRevision, NatsHeaders? headers, CancellationToken cancellationToken)
    {
        if (_writer is not null)
        {
            return await TryDomainWriteAsync(subject, key, value, expectedRevision, headers, cancellationToken).ConfigureAwait(false);
        }

        NatsResult<PubAckResponse> result;
        try
        {
            result = await _js.TryPublishAsync(
                subject,
                value,
                RawMemory,
                new NatsJSPubOpts { ExpectedLastSubjectSequence = expectedRevision },
                headers,
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTransient(ex, cancellationToken))
        {
            throw Unavailable("write", key, ex);
        }

        if (!result.Success)
        {
            if (result.Error is NatsJSApiException { Error.ErrCode: WrongLastSequenceError })
            {
                return null;
            }

            throw result.Error is OperationCanceledException && cancellationToken.IsCancellationRequested
                ? new OperationCanceledException(cancellationToken)
                : Unavailable("write", key, result.Error);
        }

        var ack = result.Value;
        if (ack.Error is { ErrCode: WrongLastSequenceError })
        {
            return null;
        }

        if (ack.Error is not null)
        {
            throw Unavailable("write", key, new NatsJSApiException(ack.Error));
        }

        return ack.Seq;
    }

    private async ValueTask<ulong?> TryDomainWriteAsync(
        string subject, string key, ReadOnlyMemory<byte> value, ulong expectedRevision, NatsHeaders? headers, CancellationToken cancellationToken)
    {
        PubAckResponse ack;
        try
        {
            ack = await _writer!.PublishAsync(subject, value, expectedRevision, headers, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTransient(ex, cancellationToken))
        {
            throw Unavailable("write", key, ex);
        }

        _link?.Reached();
        if (ack.Error is { ErrCode: WrongLastSequenceError })
        {
            return null;
        }

        return ack.Error is null ? ack.Seq : throw Unavailable("write", key, new NatsJSApiException(ack.Error));
    }

    private static bool IsBefore210(string? version)
    {
        var core = version?.Split('-', '+')[0];
        return !Version.TryParse(core, out var parsed) || parsed < new Version(2, 10);
    }

    private static async Task EnsureFenceBucketAsync(
        NatsJSContext js, NatsStoreNames names, NatsStoreOptions options, int replicas, ILogger logger, CancellationToken cancellationToken)
    {
        var fences = new NatsKVConfig(names.FenceBucket)
        {
            Description = $"TaskGraph CAS fences of graph {names.Graph} (nats-server 2.9 clustered CAS guard)",
            History = 1,
            MaxAge = options.CasFenceTtl,
            NumberOfReplicas = replicas,

            // Fences matter for seconds; memory keeps the extra write cheap and R3 keeps it consistent.
            Storage = NatsKVStorageType.Memory,
        };
        try
        {
            await new NatsKVContext(js).CreateStoreAsync(fences, cancellationToken).ConfigureAwait(false);
        }
        catch (NatsJSApiException ex) when (ex.Error.ErrCode == StreamNameInUseError)
        {
            // The fences must be as available as the bucket they guard.
            LogBoundExisting(logger, "KV_" + names.FenceBucket, ex.Error.Description ?? string.Empty);
            var stream = await js.GetStreamAsync("KV_" + names.FenceBucket, cancellationToken: cancellationToken).ConfigureAwait(false);
            await NatsReplicas.ScaleAsync(js, stream, replicas, isExplicit: true, logger, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The key's newest message (a value or a tombstone) from the stream leader, or null when it has none.</summary>
    private async ValueTask<StoredMessage?> GetLastAsync(string key, CancellationToken cancellationToken)
    {
        // The message-get API (not direct get) is answered by the stream leader, so a read after an acknowledged write
        // sees it; a direct get may be served by a lagging replica in a cluster.
        try
        {
            var response = await _kvStream.GetAsync(new StreamMsgGetRequest { LastBySubj = _names.Subject(key) }, cancellationToken).ConfigureAwait(false);
            return response.Message;
        }
        catch (NatsJSApiException ex) when (ex.Error.ErrCode == NoMessageFoundError)
        {
            return null;
        }
        catch (Exception ex) when (IsTransient(ex, cancellationToken))
        {
            throw Unavailable("read", key, ex);
        }
    }

    /// <summary>
    /// Hands on the messages on <paramref name="subject"/> (a key's subject or a wildcard) from sequence
    /// <paramref name="from"/> on, in order, as the stream leader has them (message-get API), at most
    /// <paramref name="limit"/>; returns the sequence after the last one handed on. A consumer is served by whichever
    /// replica holds it (on 2.10 any peer, measured), which may not have the newest acknowledged writes yet.
    /// </summary>
    private async Task<ulong> ReadLeaderAsync(string subject, ulong from, int limit, string what, Action<StoredMessage> onMessage, CancellationToken cancellationToken)
    {
        for (var read = 0; read < limit; read++)
        {
            StoredMessage? message;
            try
            {
                var response = await _kvStream.GetAsync(new StreamMsgGetRequest { Seq = from, NextBySubj = subject }, cancellationToken).ConfigureAwait(false);
                message = response.Message;
            }
            catch (NatsJSApiException ex) when (ex.Error.ErrCode == NoMessageFoundError)
            {
                message = null;
            }
            catch (Exception ex) when (IsTransient(ex, cancellationToken))
            {
                throw Unavailable(what, _names.KvStream, ex);
            }

            if (message is null || message.Seq < from)
            {
                break;
            }

            onMessage(message);
            from = message.Seq + 1;
        }

        return from;
    }

    private RecordChange ToChange(StoredMessage message)
    {
        var deleted = IsDeleteMessage(message);
        return new RecordChange(
            message.Seq,
            _names.KeyOf(message.Subject),
            message.Seq,
            deleted ? ReadOnlyMemory<byte>.Empty : message.Data,
            deleted ? ChangeKind.Delete : ChangeKind.Put,
            message.Time);
    }

    private static bool IsDeleteMessage(StoredMessage message) => KvHeaders.IsDelete(KvHeaders.FindInRaw(message.Hdrs, KvHeaders.Operation));

    /// <summary>Reads everything a fresh ephemeral consumer matches, then stops (no live tail).</summary>
    private async Task ReadAllAsync(string stream, ConsumerConfig config, string what, Action<INatsJSMsg<byte[]>> onMessage, CancellationToken cancellationToken)
    {
        // A one-replica reader is cheap, but the server may place it on a peer that is down (measured: about one listing
        // in four timed out with one of three nodes dead). Try again with a reader that inherits the stream's replicas:
        // it lives as long as a quorum does.
        // Messages are handed on only after a complete pass, so a retried read never delivers anything twice.
        var messages = new List<INatsJSMsg<byte[]>>();
        try
        {
            await ReadAllOnceAsync(stream, config, what, messages.Add, replicas: 1, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreUnavailableException) when (!cancellationToken.IsCancellationRequested)
        {
            messages.Clear();
            var retry = new ConsumerConfig { DeliverPolicy = config.DeliverPolicy, FilterSubject = config.FilterSubject, OptStartSeq = config.OptStartSeq };
            await ReadAllOnceAsync(stream, retry, what, messages.Add, replicas: 0, cancellationToken).ConfigureAwait(false);
        }

        foreach (var message in messages)
        {
            onMessage(message);
        }
    }

    private async Task ReadAllOnceAsync(
        string stream, ConsumerConfig config, string what, Action<INatsJSMsg<byte[]>> onMessage, int replicas, CancellationToken cancellationToken)
    {
        // NATS.Net's ordered consumer sends filter_subjects, which 2.9 ignores; a named consumer with a single
        // filter_subject works (unnamed, NATS.Net puts the filter where 2.9 expects the name).
        config.Name = "tg_read_" + Guid.NewGuid().ToString("N");
        config.AckPolicy = ConsumerConfigAckPolicy.None;
        config.InactiveThreshold = TimeSpan.FromSeconds(30);
        config.MemStorage = true;
        config.NumReplicas = replicas;
        INatsJSConsumer? consumer = null;
        try
        {
            consumer = await _js.CreateOrUpdateConsumerAsync(stream, config, cancellationToken).ConfigureAwait(false);
            if (consumer.Info.NumPending == 0)
            {
                return;
            }

            while (true)
            {
                var count = 0;
                ulong pending = 0;
                await foreach (var msg in consumer.FetchNoWaitAsync(new NatsJSFetchOpts { MaxMsgs = FetchBatch }, RawBytes, cancellationToken).ConfigureAwait(false))
                {
                    count++;
                    pending = msg.Metadata?.NumPending ?? 0;
                    onMessage(msg);
                }

                if (count == 0 || pending == 0)
                {
                    return;
                }
            }
        }
        catch (NatsJSApiException ex) when (ex.Error.ErrCode == StreamNotFoundError)
        {
            throw new StoreUnavailableException($"Stream {stream} of graph '{_names.Graph}' does not exist (deleted?).", ex);
        }
        catch (Exception ex) when (IsTransient(ex, cancellationToken))
        {
            throw Unavailable(what, stream, ex);
        }
        finally
        {
            if (consumer is not null)
            {
                _ = DeleteConsumerQuietlyAsync(stream, config.Name);
            }
        }
    }

    private async Task DeleteConsumerQuietlyAsync(string stream, string consumer)
    {
        try
        {
            await _js.DeleteConsumerAsync(stream, consumer, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The inactive threshold removes it anyway.
        }
    }

    private RecordChange ToChange(INatsJSMsg<byte[]> msg)
    {
        var metadata = msg.Metadata ?? throw new InvalidOperationException("A change log message has no JetStream metadata.");
        var deleted = KvHeaders.IsDelete(KvHeaders.OperationOf(msg.Headers));
        return new RecordChange(
            metadata.Sequence.Stream,
            _names.KeyOf(msg.Subject),
            metadata.Sequence.Stream,
            deleted ? ReadOnlyMemory<byte>.Empty : msg.Data ?? [],
            deleted ? ChangeKind.Delete : ChangeKind.Put,
            metadata.Timestamp);
    }

    /// <summary>
    /// Fails at once while the connection is down. NATS.Net would hold a publish until it reconnects (a tool call would
    /// hang for as long as the outage lasts) and might still send it afterwards; refusing before anything is published
    /// means nothing can land later, so the caller's retry is safe. The watch has its own reconnect loop.
    /// </summary>
    private void ThrowIfDisconnected(string operation, string target)
    {
        ThrowIfHubUnreachable(operation, target);
        if (_connection.ConnectionState != NatsConnectionState.Open)
        {
            LogUnavailable(_logger, operation, target, _names.Graph, "not connected");
            throw new StoreUnavailableException(
                $"NATS is not connected ({_connection.ConnectionState}); the {operation} of '{target}' in graph '{_names.Graph}' was not sent.");
        }
    }

    /// <summary>On an edge node whose hub is unreachable: refuses before anything is sent.</summary>
    private void ThrowIfHubUnreachable(string operation, string target)
    {
        if (_link?.StaleSince is { } since)
        {
            LogUnavailable(_logger, operation, target, _names.Graph, "hub unreachable");
            throw HubUnreachable(operation, target, since, null);
        }
    }

    private HubUnreachableException HubUnreachable(string operation, string target, DateTimeOffset since, Exception? inner) => new(
        $"The hub (JetStream domain {_options.Domain}) is unreachable from this edge node; the {operation} of '{target}' in graph '{_names.Graph}' was not sent.",
        since,
        inner);

    /// <summary>
    /// Ends a watch across the domain that has stopped delivering while the hub's stream is ahead of it (a link that
    /// dropped and returned between two probes leaves the consumer dead without the link ever looking down).
    /// </summary>
    private ITimer StartStallCheck(CancellationTokenSource watching, StrongBox<ulong> delivered)
    {
        var link = _link!;
        ulong seen = delivered.Value;
        var still = 0;
        return TimeProvider.System.CreateTimer(
            _ =>
            {
                var now = Volatile.Read(ref delivered.Value);
                still = now == seen && link.HubPosition > now ? still + 1 : 0;
                seen = now;
                if (still >= StallChecks)
                {
                    LogWatchStalled(_logger, _names.KvStream, now, link.HubPosition);
                    try
                    {
                        watching.Cancel();
                    }
                    catch (ObjectDisposedException)
                    {
                        // The watch ended meanwhile.
                    }
                }
            },
            null,
            StallCheckInterval,
            StallCheckInterval);
    }

    private StoreUnavailableException Unavailable(string operation, string target, Exception inner)
    {
        // Our own cancellations (a watch ended by the link or a stall) and the hub's answers to a request (an API error
        // below 500) are not outages.
        if (_link is not null && inner is not OperationCanceledException && inner is not NatsJSApiException { Error.Code: < 500 })
        {
            // Across the leaf, a failed request means the hub (or its JetStream) is not there: reads answer from the read
            // model from now on. No responders: nothing in the hub's domain received it. A write that timed out or was
            // refused by a failing hub, though, may have landed: that one stays STORE_UNAVAILABLE.
            _link.Lost(inner.Message);
            if (operation != "write" || inner is NatsNoRespondersException || inner.InnerException is NatsNoRespondersException)
            {
                return HubUnreachable(operation, target, _link.StaleSince ?? TimeProvider.System.GetUtcNow(), inner);
            }
        }

        LogUnavailable(_logger, operation, target, _names.Graph, inner.Message);
        var outcome = operation == "write" ? "the write may or may not have been applied" : "nothing was written";
        return new StoreUnavailableException(
            $"NATS did not complete {operation} of '{target}' in graph '{_names.Graph}'; {outcome}.", inner);
    }

    /// <summary>Errors that mean "no answer, try again" rather than a bug or a conflict.</summary>
    private static bool IsTransient(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        NatsJSApiException api => api.Error.Code >= 500 || api.Error.ErrCode == 10008,
        NatsException => true,
        TimeoutException => true,
        _ => false,
    };

    [LoggerMessage(EventId = 2016, Level = LogLevel.Information, Message = "Bucket {Bucket} is read from and written to JetStream domain {Domain} across the leaf node (edge mode)")]
    private static partial void LogEdge(ILogger logger, string bucket, string domain);

    [LoggerMessage(EventId = 2017, Level = LogLevel.Warning, Message = "Watch of {Stream} stalled at {Delivered} while the hub is at {HubPosition}; starting it again")]
    private static partial void LogWatchStalled(ILogger logger, string stream, ulong delivered, ulong hubPosition);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Information, Message = "Opened bucket {Bucket} (replicas {Replicas} of {Wanted} asked, CAS fence {CasFence})")]
    private static partial void LogOpened(ILogger logger, string bucket, int replicas, int wanted, bool casFence);

    [LoggerMessage(EventId = 2015, Level = LogLevel.Warning, Message = "Stream {Stream} could not be placed on {Replicas} replicas ({Reason}); created with 1, the next start scales it up")]
    private static partial void LogAutoFallback(ILogger logger, string stream, int replicas, string reason);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "Opening bucket {Bucket} failed (attempt {Attempt}), retrying: {Reason}")]
    private static partial void LogOpenRetry(ILogger logger, string bucket, int attempt, string reason);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Information, Message = "Stream {Stream} already exists with other settings; using it as it is ({Detail})")]
    private static partial void LogBoundExisting(ILogger logger, string stream, string detail);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Warning, Message = "Stream {Stream} keeps only {Limit} revisions per key; history and watch from old positions will miss the rest")]
    private static partial void LogHistoryLimited(ILogger logger, string stream, long limit);

    [LoggerMessage(EventId = 2014, Level = LogLevel.Debug, Message = "NATS unavailable during {Operation} of {Target} in graph {Graph}: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string operation, string target, string graph, string reason);
}
