using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Data.Sqlite;

namespace TaskGraph.Core.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode, shareable by several processes. Live records sit in <c>records</c>;
/// every write appends exactly one row to the change log <c>changes</c> in the same <c>BEGIN IMMEDIATE</c> transaction,
/// and the row's position is the write's revision, so revisions are store-global and strictly increasing.
/// </summary>
public sealed class SqliteRecordStore : IRecordStore, ILivenessStore
{
    private const int WatchBatchSize = 256;

    // A write adds about four WAL pages (row, log row, log index, AUTOINCREMENT counter): checkpoint roughly every
    // 1000 pages, SQLite's own default, but on a background connection rather than inside the committing write.
    private const int CommitsPerCheckpoint = 250;
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteIoError = 10;
    private const int SqliteCorrupt = 11;
    private const int SqliteFull = 13;
    private const int SqliteCantOpen = 14;
    private const int SqliteNotADatabase = 26;

    private readonly string _connectionString;
    private readonly TimeProvider _timeProvider;
    private readonly int _maxIdleReaders = Math.Max(4, Environment.ProcessorCount * 2);

    // In-process writes are serialized here rather than in SQLite's busy handler, which sleeps between retries;
    // BEGIN IMMEDIATE still serializes against other processes.
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2213", Justification = "A SemaphoreSlim needs disposing only once its AvailableWaitHandle is used, which this type never does; late callers may still wait on it after disposal.")]
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SqliteSession _writer;
    private readonly ConcurrentBag<SqliteSession> _readers = [];
    private readonly CancellationTokenSource _disposing = new();
    private TaskCompletionSource _committed = NewSignal();
    private Task _checkpoint = Task.CompletedTask;
    private long _watchedPosition;
    private int _commitsSinceCheckpoint;
    private int _checkpointRunning;
    private int _disposed;

    private SqliteRecordStore(SqliteStoreOptions options, TimeProvider timeProvider, string connectionString, SqliteSession writer)
    {
        Options = options;
        _timeProvider = timeProvider;
        _connectionString = connectionString;
        _writer = writer;
    }

    private enum WriteKind
    {
        Create,
        Update,
        Delete,
    }

    /// <summary>The options this store was opened with.</summary>
    public SqliteStoreOptions Options { get; }

    /// <summary>
    /// Opens (creating if needed) the store file, switches it to WAL and creates the schema.
    /// Throws <see cref="InvalidDataException"/> when the file is not a SQLite database or not a TaskGraph store.
    /// </summary>
    public static Task<SqliteRecordStore> OpenAsync(
        SqliteStoreOptions options, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Path);
        if (options.BusyTimeout < TimeSpan.Zero || options.PollInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("BusyTimeout must not be negative and PollInterval must be positive.", nameof(options));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var path = Path.GetFullPath(options.Path);
        var directory = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        ThrowIfNotSqlite(path);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,

            // The store keeps its own sessions open; closing one must really close the file.
            Pooling = false,

            // Microsoft.Data.Sqlite retries SQLITE_BUSY itself for this long after SQLite's busy_timeout gave up.
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        }.ToString();

        SqliteSession? writer = null;
        try
        {
            writer = SqliteSession.Open(connectionString, options);
            InitializeSchema(writer, path);

            // Checkpoints run in the background (see CheckpointSoon); no connection of this store checkpoints on commit.
            writer.Execute("PRAGMA wal_autocheckpoint = 0");
            return Task.FromResult(new SqliteRecordStore(options with { Path = path }, timeProvider ?? TimeProvider.System, connectionString, writer));
        }
        catch (SqliteException ex)
        {
            writer?.Dispose();
            throw Translate(ex, path);
        }
        catch
        {
            writer?.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public ValueTask<RecordEntry?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromResult(Read(key, static (session, key) =>
            {
                var command = session.Command(SqliteSchema.GetRecord, "$key");
                command.Parameters[0].Value = key;
                using var reader = command.ExecuteReader();
                return reader.Read()
                    ? new RecordEntry(key, ReadBlob(reader, 0), (ulong)reader.GetInt64(1), FromUnixMs(reader.GetInt64(2)))
                    : null;
            }));
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<RecordEntry?>(ex);
        }
    }

    /// <inheritdoc />
    public ValueTask<ulong> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        WriteAsync(WriteKind.Create, key, value, 0, cancellationToken);

    /// <inheritdoc />
    public ValueTask<ulong> UpdateAsync(string key, ReadOnlyMemory<byte> value, ulong expectedRevision, CancellationToken cancellationToken = default) =>
        WriteAsync(WriteKind.Update, key, value, expectedRevision, cancellationToken);

    /// <inheritdoc />
    public ValueTask<ulong> DeleteAsync(string key, ulong expectedRevision, CancellationToken cancellationToken = default) =>
        WriteAsync(WriteKind.Delete, key, ReadOnlyMemory<byte>.Empty, expectedRevision, cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RecordEntry>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var upper = UpperBound(prefix);
            return ValueTask.FromResult<IReadOnlyList<RecordEntry>>(Read((prefix, upper), static (session, range) =>
            {
                var command = range.upper is null
                    ? session.Command(SqliteSchema.ListFrom, "$from")
                    : session.Command(SqliteSchema.ListRange, "$from", "$to");
                command.Parameters[0].Value = range.prefix;
                if (range.upper is not null)
                {
                    command.Parameters[1].Value = range.upper;
                }

                var entries = new List<RecordEntry>();
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var key = reader.GetString(0);

                    // The range is exact unless the bound had to drop a maximal last character (see UpperBound).
                    if (!key.StartsWith(range.prefix, StringComparison.Ordinal))
                    {
                        continue;
                    }

                    entries.Add(new RecordEntry(key, ReadBlob(reader, 1), (ulong)reader.GetInt64(2), FromUnixMs(reader.GetInt64(3))));
                }

                return entries;
            }));
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<IReadOnlyList<RecordEntry>>(ex);
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<RecordChange> WatchAsync(ulong afterPosition, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return WatchCoreAsync(afterPosition, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RecordChange>> HistoryAsync(string key, ulong afterRevision = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromResult<IReadOnlyList<RecordChange>>(Read((key, afterRevision), static (session, args) =>
            {
                var command = session.Command(SqliteSchema.History, "$key", "$after");
                command.Parameters[0].Value = args.key;
                command.Parameters[1].Value = (long)args.afterRevision;
                return ReadChanges(command);
            }));
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<IReadOnlyList<RecordChange>>(ex);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// One indexed <c>max(position)</c> on a pooled reader. When the log holds changes this process's watches have not
    /// delivered yet (another process wrote them), the watches are woken to look now instead of at their next poll, so a
    /// caller that waits for this position waits about one read, not a poll interval.
    /// </remarks>
    public ValueTask<ulong> GetPositionAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var position = Read(0, static (session, _) => session.ScalarInt64(SqliteSchema.Position));
            if (position > Volatile.Read(ref _watchedPosition))
            {
                Interlocked.Exchange(ref _committed, NewSignal()).TrySetResult();
            }

            return ValueTask.FromResult((ulong)position);
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<ulong>(ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
#pragma warning disable VSTHRD003 // the checkpoint is this store's own background task
        await _checkpoint.ConfigureAwait(false);
#pragma warning restore VSTHRD003
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            _writer.Dispose();
        }
        finally
        {
            _writeLock.Release();
        }

        DrainReaders();
        _disposing.Dispose();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static void ThrowIfNotSqlite(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists || info.Length == 0)
        {
            return;
        }

        Span<byte> header = stackalloc byte[SqliteSchema.FileHeader.Length];
        int read;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        }

        if (read < header.Length || !header.SequenceEqual(Encoding.ASCII.GetBytes(SqliteSchema.FileHeader)))
        {
            throw new InvalidDataException($"The store file '{path}' is not a SQLite database. Move it away or point the store at another path.");
        }
    }

    private static void InitializeSchema(SqliteSession session, string path)
    {
        // WAL lets readers in every process run beside the one writer; the mode is stored in the file.
        var mode = Convert.ToString(session.Command("PRAGMA journal_mode = WAL").ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"The store file '{path}' cannot use WAL mode (journal_mode is '{mode}'); it must be on a local file system.");
        }

        session.Execute("BEGIN IMMEDIATE");
        try
        {
            var applicationId = session.ScalarInt64("PRAGMA application_id");
            var version = session.ScalarInt64("PRAGMA user_version");
            if (applicationId == 0)
            {
                if (session.ScalarInt64("SELECT count(*) FROM sqlite_master") != 0)
                {
                    throw new InvalidDataException($"The store file '{path}' is a SQLite database of another application, not a TaskGraph store.");
                }

                session.Execute(SqliteSchema.Create);
                session.Execute($"PRAGMA application_id = {SqliteSchema.ApplicationId}");
                session.Execute($"PRAGMA user_version = {SqliteSchema.Version}");
            }
            else if (applicationId != SqliteSchema.ApplicationId)
            {
                throw new InvalidDataException($"The store file '{path}' is a SQLite database of another application, not a TaskGraph store.");
            }
            else if (version > SqliteSchema.Version)
            {
                throw new InvalidDataException($"The store file '{path}' has schema version {version}; this build reads up to {SqliteSchema.Version}. Upgrade TaskGraph.");
            }

            session.Execute(SqliteSchema.CreateLive);
            session.Execute("COMMIT");
        }
        catch
        {
            TryRollback(session);
            throw;
        }
    }

    private static void TryRollback(SqliteSession session)
    {
        try
        {
            session.Execute("ROLLBACK");
        }
        catch (SqliteException)
        {
            // No transaction was active (SQLite may already have rolled it back after an I/O error).
        }
    }

    private static Exception Translate(SqliteException ex, string path) => ex.SqliteErrorCode switch
    {
        SqliteBusy or SqliteLocked => new StoreUnavailableException(
            $"The SQLite store '{path}' stayed locked by another writer beyond the busy timeout.", ex),
        SqliteIoError or SqliteFull or SqliteCantOpen => new StoreUnavailableException(
            $"The SQLite store '{path}' could not be read or written: {ex.Message}", ex),
        SqliteNotADatabase or SqliteCorrupt => new InvalidDataException(
            $"The store file '{path}' is not a valid SQLite database: {ex.Message}", ex),
        _ => ex,
    };

    private static byte[] ToArray(ReadOnlyMemory<byte> value) =>
        MemoryMarshal.TryGetArray(value, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : value.ToArray();

    private static ReadOnlyMemory<byte> ReadBlob(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? ReadOnlyMemory<byte>.Empty : reader.GetFieldValue<byte[]>(ordinal);

    private static DateTimeOffset FromUnixMs(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);

    private static List<RecordChange> ReadChanges(SqliteCommand command)
    {
        var changes = new List<RecordChange>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            changes.Add(new RecordChange(
                (ulong)reader.GetInt64(0),
                reader.GetString(1),
                (ulong)reader.GetInt64(2),
                ReadBlob(reader, 3),
                reader.GetInt64(4) == 0 ? ChangeKind.Put : ChangeKind.Delete,
                FromUnixMs(reader.GetInt64(5))));
        }

        return changes;
    }

    /// <summary>
    /// The smallest string above every string that starts with <paramref name="prefix"/> (binary UTF-8 order equals code
    /// point order), or null when there is none. A range query keeps '_' and '%' literal, unlike LIKE.
    /// </summary>
    private static string? UpperBound(string prefix)
    {
        var runes = prefix.EnumerateRunes().ToList();
        while (runes.Count > 0)
        {
            var last = runes[^1].Value;
            runes.RemoveAt(runes.Count - 1);
            if (last == 0x10FFFF)
            {
                continue;
            }

            var next = last + 1 == 0xD800 ? 0xE000 : last + 1;
            var sb = new StringBuilder(prefix.Length + 1);
            foreach (var rune in runes)
            {
                sb.Append(rune.ToString());
            }

            return sb.Append(new Rune(next).ToString()).ToString();
        }

        return null;
    }

    /// <inheritdoc />
    public ValueTask<RecordEntry?> GetLiveAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromResult(Read(key, static (session, key) =>
            {
                var command = session.Command(SqliteSchema.GetLive, "$key");
                command.Parameters[0].Value = key;
                using var reader = command.ExecuteReader();
                return reader.Read() ? new RecordEntry(key, ReadBlob(reader, 0), (ulong)reader.GetInt64(1), DateTimeOffset.UnixEpoch) : null;
            }));
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<RecordEntry?>(ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask<ulong> PutLiveAsync(string key, ReadOnlyMemory<byte> value, ulong expectedRevision, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (expectedRevision > long.MaxValue - 1)
        {
            throw new ConcurrencyConflictException(key, expectedRevision);
        }

        var changed = await WriteLiveAsync(expectedRevision == 0 ? SqliteSchema.InsertLive : SqliteSchema.UpdateLive, key, ToArray(value), expectedRevision, cancellationToken).ConfigureAwait(false);
        return changed == 1 ? expectedRevision + 1 : throw new ConcurrencyConflictException(key, expectedRevision);
    }

    /// <inheritdoc />
    public async ValueTask RemoveLiveAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        await WriteLiveAsync(SqliteSchema.DeleteLive, key, null, 0, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RecordEntry>> ListLiveAsync(string prefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromResult<IReadOnlyList<RecordEntry>>(Read(prefix, static (session, prefix) =>
            {
                var command = session.Command(SqliteSchema.ListLive, "$prefix");
                command.Parameters[0].Value = prefix;
                var entries = new List<RecordEntry>();
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    entries.Add(new RecordEntry(reader.GetString(0), ReadBlob(reader, 1), (ulong)reader.GetInt64(2), DateTimeOffset.UnixEpoch));
                }

                return entries;
            }));
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<IReadOnlyList<RecordEntry>>(ex);
        }
    }

    /// <summary>One statement on the volatile table, on the writer under the write lock (no change-log row, no wake-up).</summary>
    private async ValueTask<int> WriteLiveAsync(string sql, string key, byte[]? value, ulong expectedRevision, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        int changed;
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            var command = value is null
                ? _writer.Command(sql, "$key")
                : sql == SqliteSchema.InsertLive ? _writer.Command(sql, "$key", "$value") : _writer.Command(sql, "$key", "$value", "$expected");
            command.Parameters[0].Value = key;
            if (value is not null)
            {
                command.Parameters[1].Value = value;
                if (sql != SqliteSchema.InsertLive)
                {
                    command.Parameters[2].Value = (long)expectedRevision;
                }
            }

            changed = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex)
        {
            throw Translate(ex, Options.Path);
        }
        finally
        {
            _writeLock.Release();
        }

        // Heartbeats grow the WAL like any write: they count toward the next background checkpoint.
        if (Interlocked.Increment(ref _commitsSinceCheckpoint) >= CommitsPerCheckpoint)
        {
            CheckpointSoon();
        }

        return changed;
    }

    private async ValueTask<ulong> WriteAsync(
        WriteKind kind, string key, ReadOnlyMemory<byte> value, ulong expectedRevision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        ulong revision;
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            revision = WriteLocked(kind, key, value, expectedRevision);
        }
        catch (SqliteException ex)
        {
            throw Translate(ex, Options.Path);
        }
        finally
        {
            _writeLock.Release();
        }

        // Wake this process's watchers now; other processes notice through PRAGMA data_version when they poll.
        Interlocked.Exchange(ref _committed, NewSignal()).TrySetResult();
        if (Interlocked.Increment(ref _commitsSinceCheckpoint) >= CommitsPerCheckpoint)
        {
            CheckpointSoon();
        }

        return revision;
    }

    /// <summary>
    /// Copies the WAL back into the database on a pooled reader connection. PASSIVE never waits for and never blocks
    /// writers or readers, so the fsyncs of a checkpoint stay off the write path; another process may checkpoint too.
    /// </summary>
    private void CheckpointSoon()
    {
        if (Interlocked.CompareExchange(ref _checkpointRunning, 1, 0) != 0)
        {
            return;
        }

        Interlocked.Exchange(ref _commitsSinceCheckpoint, 0);
        _checkpoint = Task.Run(() =>
        {
            try
            {
                if (Volatile.Read(ref _disposed) == 0)
                {
                    Read(0, static (session, _) => session.Execute("PRAGMA wal_checkpoint(PASSIVE)"));
                }
            }
            catch (Exception ex) when (ex is StoreUnavailableException or SqliteException or ObjectDisposedException)
            {
                // Best effort: the next round, or any other process, checkpoints again.
            }
            finally
            {
                Volatile.Write(ref _checkpointRunning, 0);
            }
        });
    }

    private ulong WriteLocked(WriteKind kind, string key, ReadOnlyMemory<byte> value, ulong expectedRevision)
    {
        if (kind != WriteKind.Create && expectedRevision > long.MaxValue)
        {
            throw new ConcurrencyConflictException(key, expectedRevision);
        }

        var session = _writer;
        var at = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        session.Execute("BEGIN IMMEDIATE");
        try
        {
            var position = session.ScalarInt64(SqliteSchema.NextPosition);
            var bytes = kind == WriteKind.Delete ? null : ToArray(value);
            SqliteCommand command;
            switch (kind)
            {
                case WriteKind.Create:
                    command = session.Command(SqliteSchema.InsertRecord, "$key", "$value", "$revision", "$at");
                    command.Parameters[0].Value = key;
                    command.Parameters[1].Value = bytes;
                    command.Parameters[2].Value = position;
                    command.Parameters[3].Value = at;
                    break;
                case WriteKind.Update:
                    command = session.Command(SqliteSchema.UpdateRecord, "$key", "$value", "$revision", "$at", "$expected");
                    command.Parameters[0].Value = key;
                    command.Parameters[1].Value = bytes;
                    command.Parameters[2].Value = position;
                    command.Parameters[3].Value = at;
                    command.Parameters[4].Value = (long)expectedRevision;
                    break;
                default:
                    command = session.Command(SqliteSchema.DeleteRecord, "$key", "$expected");
                    command.Parameters[0].Value = key;
                    command.Parameters[1].Value = (long)expectedRevision;
                    break;
            }

            if (command.ExecuteNonQuery() != 1)
            {
                session.Execute("ROLLBACK");
                throw new ConcurrencyConflictException(key, expectedRevision);
            }

            var append = session.Command(SqliteSchema.AppendChange, "$position", "$key", "$value", "$kind", "$at");
            append.Parameters[0].Value = position;
            append.Parameters[1].Value = key;
            append.Parameters[2].Value = (object?)bytes ?? DBNull.Value;
            append.Parameters[3].Value = kind == WriteKind.Delete ? 1 : 0;
            append.Parameters[4].Value = at;
            append.ExecuteNonQuery();
            session.Execute("COMMIT");
            return (ulong)position;
        }
        catch (Exception ex) when (ex is not ConcurrencyConflictException)
        {
            TryRollback(session);
            throw;
        }
    }

    private T Read<TState, T>(TState state, Func<SqliteSession, TState, T> body)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!_readers.TryTake(out var session))
        {
            session = OpenSession();
        }

        try
        {
            return body(session, state);
        }
        catch (SqliteException ex)
        {
            throw Translate(ex, Options.Path);
        }
        finally
        {
            ReturnReader(session);
        }
    }

    private SqliteSession OpenSession()
    {
        try
        {
            return SqliteSession.Open(_connectionString, Options);
        }
        catch (SqliteException ex)
        {
            throw Translate(ex, Options.Path);
        }
    }

    private void ReturnReader(SqliteSession session)
    {
        if (Volatile.Read(ref _disposed) != 0 || _readers.Count >= _maxIdleReaders)
        {
            session.Dispose();
            return;
        }

        _readers.Add(session);

        // DisposeAsync may have drained the pool between the check and the add.
        if (Volatile.Read(ref _disposed) != 0)
        {
            DrainReaders();
        }
    }

    private void DrainReaders()
    {
        while (_readers.TryTake(out var session))
        {
            session.Dispose();
        }
    }

    private List<RecordChange> ReadChangesAfter(SqliteSession session, ulong afterPosition)
    {
        try
        {
            var command = session.Command(SqliteSchema.ChangesAfter, "$after", "$limit");
            command.Parameters[0].Value = afterPosition > long.MaxValue ? long.MaxValue : (long)afterPosition;
            command.Parameters[1].Value = WatchBatchSize;
            return ReadChanges(command);
        }
        catch (SqliteException ex)
        {
            throw Translate(ex, Options.Path);
        }
    }

    private long ReadDataVersion(SqliteSession session)
    {
        try
        {
            return session.ScalarInt64(SqliteSchema.DataVersion);
        }
        catch (SqliteException ex)
        {
            throw Translate(ex, Options.Path);
        }
    }

    private void RaiseWatchedPosition(long position)
    {
        var seen = Volatile.Read(ref _watchedPosition);
        while (position > seen)
        {
            var previous = Interlocked.CompareExchange(ref _watchedPosition, position, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }

    private async IAsyncEnumerable<RecordChange> WatchCoreAsync(
        ulong afterPosition, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);

        // A watch keeps its own connection: PRAGMA data_version only means something on a long-lived connection,
        // and it changes whenever any other connection, in any process, commits.
        using var session = OpenSession();
        var position = afterPosition;
        long? seenVersion = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (stop.IsCancellationRequested)
            {
                yield break;
            }

            // Take the signal before reading, so a commit that lands after the read still wakes the wait below.
            var signal = Volatile.Read(ref _committed);
            var version = ReadDataVersion(session);
            if (version != seenVersion)
            {
                var batch = ReadChangesAfter(session, position);
                foreach (var change in batch)
                {
                    position = change.Position;
                    RaiseWatchedPosition((long)position);
                    yield return change;
                }

                // A full batch means more may be waiting: read again without looking at data_version.
                seenVersion = batch.Count == WatchBatchSize ? null : version;
                if (seenVersion is null)
                {
                    continue;
                }
            }

            using var pollCts = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            var poll = Task.Delay(Options.PollInterval, pollCts.Token);
            await Task.WhenAny(signal.Task, poll).ConfigureAwait(false);
            await pollCts.CancelAsync().ConfigureAwait(false);
        }
    }
}
