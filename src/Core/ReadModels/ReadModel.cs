using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;

namespace TaskGraph.Core.ReadModels;

/// <summary>
/// A node's private, in-memory SQLite projection of the store, kept current from the store's watch. Before it serves it
/// loads its snapshot (when one is configured and still matches the store) and replays only what is newer, or rebuilds
/// from position 0; then it follows live changes, and writes a new snapshot in the background (ADR 0010). Callers wait
/// for their own commit with <see cref="WaitForAsync"/>.
/// </summary>
/// <remarks>
/// Decisions: history rows are derived from successive revisions (ChangeProjector), never written beside state.
/// task_sequence ids are an autoincrement in commit order (a status and a phase row can come from one change), with the
/// change position in a <c>position</c> column; claim_sequence ids are change positions. A rename moves the old id's
/// history to the new id; deleting a task key removes whatever history is still under that id, so an obliterated task
/// leaves none and a renamed one keeps all of it. Search excludes soft-deleted tasks unless asked (list_tasks does too;
/// get and scan show them). An undecodable record is logged and skipped; any other failure stops following, is logged as
/// critical and fails every waiter; a StoreUnavailableException resumes the watch after the applied position.
/// A batch is committed and published under the gate, so whoever holds the gate outside a batch sees rows, applied
/// position and applied revisions that agree: that is when a snapshot is copied.
/// </remarks>
internal sealed partial class ReadModel : IAsyncDisposable
{
    private const int ReplayBatchSize = 512;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>How long <see cref="CatchUpAsync"/> waits for the model to reach the store's position.</summary>
    public static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(10);

    private readonly IRecordStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SqliteConnection _db;
    private readonly ChangeProjector _projector;
    private readonly TaskReader _tasks;
    private readonly TaskSearch _search;
    private readonly HistoryReader _history;
    private readonly MarkReader _marks;
    private readonly SqlSandbox _sandbox;

    // _gate serializes every use of the one connection; _waitGate guards what has been applied and who waits for it.
    private readonly Lock _gate = new();
    private readonly Lock _waitGate = new();
    private readonly Dictionary<string, ulong> _appliedRevisions = new(StringComparer.Ordinal);
    private readonly List<Waiter> _waiters = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _caughtUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ReadModelSnapshotOptions? _snapshot;
    private readonly SemaphoreSlim _snapshotWrite = new(1, 1);
    private Task _follow = Task.CompletedTask;
    private Task _snapshots = Task.CompletedTask;
    private ulong _appliedPosition;
    private Exception? _fault;
    private bool _disposed;

    // Guarded by _gate: a batch is open; changes applied in all (the snapshot trigger counts them).
    private bool _inBatch;
    private long _appliedCount;

    // Guarded by _snapshotWrite (set once at start before any writer runs).
    private string? _firstChange;
    private ulong _snapshotPosition;
    private long _snapshotAppliedCount;
    private DateTimeOffset _nextSnapshotDue;

    private long _replayedOnStart;
    private string _startReason = "snapshots off";

    private ReadModel(IRecordStore store, TimeProvider time, ILogger logger, SqliteConnection db, ReadModelSnapshotOptions? snapshot)
    {
        _store = store;
        _time = time;
        _logger = logger;
        _db = db;
        _snapshot = snapshot;
        _projector = new ChangeProjector(db);
        _tasks = new TaskReader(db);
        _search = new TaskSearch(db);
        _history = new HistoryReader(db);
        _marks = new MarkReader(db);
        _sandbox = new SqlSandbox(db);
    }

    /// <summary>The position of the newest change applied (and visible to queries).</summary>
    public ulong AppliedPosition => Volatile.Read(ref _appliedPosition);

    /// <summary>Changes applied at start to reach the store's position (all of them when rebuilt from scratch).</summary>
    public long ReplayedOnStart => Interlocked.Read(ref _replayedOnStart);

    /// <summary>The position of the snapshot the model started from, or null when it was rebuilt from scratch.</summary>
    public ulong? LoadedSnapshotPosition { get; private set; }

    /// <summary>Why the model was rebuilt from scratch (no snapshot, a discarded one and why), or null when it loaded one.</summary>
    public string? RebuildReason => LoadedSnapshotPosition is null ? _startReason : null;

    /// <summary>The position of the newest snapshot this model loaded or wrote (0: none).</summary>
    public ulong SnapshotPosition => Volatile.Read(ref _snapshotPosition);

    /// <summary>How long the last snapshot write held the model's gate (queries wait that long at most).</summary>
    public TimeSpan LastSnapshotGateTime { get; private set; }

    /// <summary>Builds the read model from the whole change log up to the store's current position, then follows it in the background.</summary>
    public static Task<ReadModel> StartAsync(IRecordStore store, TimeProvider time, ILogger<ReadModel>? logger, CancellationToken ct) =>
        StartAsync(store, time, logger, null, ct);

    /// <summary>
    /// Starts the read model from its snapshot when <paramref name="snapshot"/> names one that matches the store (then
    /// replays only the newer changes), else from the whole change log; follows the store in the background and, with
    /// a snapshot configured, writes snapshots in the background and at dispose.
    /// </summary>
    public static async Task<ReadModel> StartAsync(
        IRecordStore store, TimeProvider time, ILogger<ReadModel>? logger, ReadModelSnapshotOptions? snapshot, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        var started = Stopwatch.GetTimestamp();
        var (db, loaded, reason) = await OpenDatabaseAsync(store, snapshot, ct).ConfigureAwait(false);
        var model = new ReadModel(store, time, (ILogger?)logger ?? NullLogger.Instance, db, snapshot);
        try
        {
            model._startReason = reason;
            model._nextSnapshotDue = time.GetUtcNow() + (snapshot?.EveryInterval ?? TimeSpan.Zero);
            if (loaded is not null)
            {
                model.LoadedSnapshotPosition = loaded.Position;
                model._appliedPosition = loaded.Position;
                model._snapshotPosition = loaded.Position;
                model._firstChange = loaded.FirstChange;
                foreach (var (key, revision) in loaded.Revisions)
                {
                    model._appliedRevisions[key] = revision;
                }
            }

            var target = await StartPositionAsync(store, ct).ConfigureAwait(false);
            model._follow = Task.Run(() => model.FollowAsync(target, started), CancellationToken.None);
            await model._caughtUp.Task.WaitAsync(ct).ConfigureAwait(false);
            if (snapshot is not null)
            {
                model._snapshots = Task.Run(model.SnapshotLoopAsync, CancellationToken.None);
            }

            return model;
        }
        catch
        {
            await model.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The read model's database: the snapshot's content when it loads and matches the store, else the empty schema. With
    /// snapshots (a serving node) it is a private temporary file with a bounded page cache, so a graph of 100,000 tasks
    /// and 1,000,000 history rows (about 250 MiB of pages) is held by the OS page cache rather than the process (ADR
    /// 0010); without, wholly in memory.
    /// </summary>
    private static async Task<(SqliteConnection Db, ReadModelSnapshot.Loaded? Loaded, string Reason)> OpenDatabaseAsync(
        IRecordStore store, ReadModelSnapshotOptions? snapshot, CancellationToken ct)
    {
        var db = await OpenEmptyAsync(onDisk: snapshot is not null, ct).ConfigureAwait(false);
        if (snapshot is not null)
        {
            try
            {
                var (loaded, reason) = await ReadModelSnapshot.TryLoadAsync(db, snapshot, store, ct).ConfigureAwait(false);
                if (loaded is not null)
                {
                    return (db, loaded, reason);
                }

                db.Dispose();
                db = await OpenEmptyAsync(onDisk: true, ct).ConfigureAwait(false);
                SqlCommands.Execute(db, ReadModelSchema.Ddl);
                return (db, null, reason);
            }
            catch
            {
                db.Dispose();
                throw;
            }
        }

        SqlCommands.Execute(db, ReadModelSchema.Ddl);
        return (db, null, "snapshots off");
    }

    /// <summary>The page cache of a read model kept in a temporary file (SQLite's <c>cache_size</c>, negative = KiB).</summary>
    private const int DiskCacheKiB = 32 * 1024;

    /// <summary>
    /// An empty database: in memory, or (<paramref name="onDisk"/>) SQLite's private temporary on-disk database (an empty
    /// file name; the file is deleted when the connection closes), unjournaled since it is rebuilt from the store anyway.
    /// </summary>
    private static async Task<SqliteConnection> OpenEmptyAsync(bool onDisk, CancellationToken ct)
    {
        var db = new SqliteConnection(onDisk ? "Data Source=" : "Data Source=:memory:");
        try
        {
            await db.OpenAsync(ct).ConfigureAwait(false);
            if (onDisk)
            {
                SqlCommands.Execute(db, string.Create(CultureInfo.InvariantCulture, $"PRAGMA cache_size = -{DiskCacheKiB}; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"));
            }

            return db;
        }
        catch
        {
            await db.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The store's position to catch up to. It is a read, so an unanswered one is asked again a few times: a node starting
    /// while its store is slow to answer (a loaded server, a leader election) should wait briefly rather than fail.
    /// </summary>
    private static async Task<ulong> StartPositionAsync(IRecordStore store, CancellationToken ct)
    {
        const int attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await store.GetPositionAsync(ct).ConfigureAwait(false);
            }
            catch (StoreUnavailableException) when (attempt < attempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Completes once a change of <paramref name="key"/> with revision at least <paramref name="revision"/> is applied.</summary>
    public ValueTask WaitForAsync(string key, ulong revision, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(key);
        Waiter waiter;
        lock (_waitGate)
        {
            if (_appliedRevisions.TryGetValue(key, out var applied) && applied >= revision)
            {
                return ValueTask.CompletedTask;
            }

            if (_fault is not null || _disposed)
            {
                return ValueTask.FromException(Stopped());
            }

            waiter = new Waiter(key, revision);
            _waiters.Add(waiter);
        }

        return AwaitAsync(waiter, ct);
    }

    /// <summary>Completes once every change up to <paramref name="position"/> is applied.</summary>
    public ValueTask WaitForPositionAsync(ulong position, CancellationToken ct)
    {
        Waiter waiter;
        lock (_waitGate)
        {
            if (Volatile.Read(ref _appliedPosition) >= position)
            {
                return ValueTask.CompletedTask;
            }

            if (_fault is not null || _disposed)
            {
                return ValueTask.FromException(Stopped());
            }

            waiter = new Waiter(null, position);
            _waiters.Add(waiter);
        }

        return AwaitAsync(waiter, ct);
    }

    /// <summary>
    /// The read barrier: learns the store's current position (one cheap store call) and waits until this model has
    /// applied it, so what a query answers next reflects every write acknowledged, by any node or process, before this
    /// call began. Throws <see cref="StoreUnavailableException"/> when the store does not answer or the model cannot
    /// catch up within <see cref="CatchUpTimeout"/>.
    /// </summary>
    public async ValueTask CatchUpAsync(CancellationToken ct)
    {
        var position = await _store.GetPositionAsync(ct).ConfigureAwait(false);
        if (AppliedPosition >= position)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(CatchUpTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            await WaitForPositionAsync(position, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new StoreUnavailableException(
                $"The read model did not catch up with the store (position {position}, applied {AppliedPosition}) within {CatchUpTimeout.TotalSeconds:0} s.");
        }
    }

    /// <summary>One task by id, soft-deleted included; null when unknown.</summary>
    public TaskRecord? GetTask(string id)
    {
        lock (_gate)
        {
            return _tasks.Get(id);
        }
    }

    /// <summary>Tasks matching a listing query (soft-deleted excluded).</summary>
    public TaskPage ListTasks(TaskListQuery q, TaskQueryRules rules)
    {
        lock (_gate)
        {
            return _tasks.List(q, rules);
        }
    }

    /// <summary>The status summary of the graph, or of <paramref name="parent"/>'s subtree.</summary>
    public StatusSummary Summarize(string? parent, TaskQueryRules rules)
    {
        lock (_gate)
        {
            return SummaryReader.Summarize(_db, parent, rules);
        }
    }

    /// <summary>Claim-next: ready tasks the worker qualifies for, best first (priority, wanted-tag fit, age).</summary>
    public IReadOnlyList<ClaimCandidate> ClaimCandidates(ClaimCandidateQuery q, TaskQueryRules rules)
    {
        lock (_gate)
        {
            return ClaimCandidateReader.Candidates(_db, q, rules);
        }
    }

    /// <summary>Claim-next: why tasks within the query's filters are not claimable by its worker.</summary>
    public UnclaimableCounts CountUnclaimable(ClaimCandidateQuery q, TaskQueryRules rules)
    {
        lock (_gate)
        {
            return ClaimCandidateReader.Counts(_db, q, rules);
        }
    }

    /// <summary>Start-blocking predecessors of a task; with <paramref name="unsatisfiedOnly"/> only those in a blocking state.</summary>
    public IReadOnlyList<string> BlockedBy(string taskId, TaskQueryRules rules, bool unsatisfiedOnly)
    {
        lock (_gate)
        {
            return _tasks.BlockedBy(taskId, rules, unsatisfiedOnly);
        }
    }

    /// <summary>Edges leaving a task, in graph order.</summary>
    public IReadOnlyList<DependencyEdge> EdgesFrom(string id)
    {
        lock (_gate)
        {
            return _tasks.EdgesFrom(id);
        }
    }

    /// <summary>Edges entering a task, in graph order.</summary>
    public IReadOnlyList<DependencyEdge> EdgesTo(string id)
    {
        lock (_gate)
        {
            return _tasks.EdgesTo(id);
        }
    }

    /// <summary>Direct children of a task over the vertical dependency types of <paramref name="rules"/> (default: <c>contains</c>), in graph order.</summary>
    public IReadOnlyList<string> Children(string id, TaskQueryRules? rules = null)
    {
        lock (_gate)
        {
            return _tasks.Children(id, rules);
        }
    }

    /// <summary>The parent of a task over the vertical dependency types of <paramref name="rules"/> (default: <c>contains</c>), if any.</summary>
    public string? Parent(string id, TaskQueryRules? rules = null)
    {
        lock (_gate)
        {
            return _tasks.Parent(id, rules);
        }
    }

    /// <summary>A task's neighbourhood (0 = none, N = levels, -1 = all); throws TASK_NOT_FOUND for an unknown task.</summary>
    public ScanResult Scan(string id, int before, int after, int above, int below, TaskQueryRules? rules = null)
    {
        lock (_gate)
        {
            return _tasks.Scan(id, before, after, above, below, rules);
        }
    }

    /// <summary>Full-text search over titles and descriptions (and attachment text when asked) with FTS5 syntax; soft-deleted tasks only when asked.</summary>
    public SearchPage Search(string query, int limit, int offset, IReadOnlyList<string>? statusFilter, bool includeDeleted = false, bool includeAttachments = false)
    {
        lock (_gate)
        {
            return _search.Search(query, limit, offset, statusFilter, includeDeleted, includeAttachments);
        }
    }

    /// <summary>A task's status history with time per status and per agent, open rows counted up to <paramref name="nowMs"/>.</summary>
    public TaskHistory GetTaskHistory(string taskId, IReadOnlyList<string>? states, Func<string, bool> isTimed, long nowMs)
    {
        lock (_gate)
        {
            return _history.ForTask(taskId, states, isTimed, nowMs);
        }
    }

    /// <summary>Status transitions of all tasks in a window, newest first, with statistics that ignore the states filter.</summary>
    public ProjectHistory GetProjectHistory(long? fromMs, long? toMs, IReadOnlyList<string>? states, int limit, long nowMs)
    {
        lock (_gate)
        {
            return _history.ForProject(fromMs, toMs, states, limit, nowMs);
        }
    }

    /// <summary>Mark events with id (change position) at or after <paramref name="position"/>, oldest first.</summary>
    public IReadOnlyList<MarkEvent> MarkEventsFrom(ulong position)
    {
        lock (_gate)
        {
            return _marks.EventsFrom(position);
        }
    }

    /// <summary>Current marks filtered by files, holder and task (each filter optional, all combine).</summary>
    public IReadOnlyList<MarkRecord> ListMarks(IReadOnlyList<string>? files, string? agent, string? taskId)
    {
        lock (_gate)
        {
            return _marks.List(files, agent, taskId);
        }
    }

    /// <summary>Current marks of a holder and/or a task.</summary>
    public IReadOnlyList<MarkRecord> MarksOf(string? agent, string? taskId)
    {
        lock (_gate)
        {
            return _marks.List(null, agent, taskId);
        }
    }

    /// <summary>All registered workers, by id.</summary>
    public IReadOnlyList<WorkerRecord> Workers()
    {
        lock (_gate)
        {
            return _tasks.Workers();
        }
    }

    /// <summary>Tasks a worker owns (soft-deleted excluded), oldest first.</summary>
    public IReadOnlyList<TaskRecord> TasksOwnedBy(string workerId)
    {
        lock (_gate)
        {
            return _tasks.OwnedBy(workerId);
        }
    }

    /// <summary>
    /// One caller-written, read-only SQL statement (see <see cref="SqlSandbox"/>). It holds the gate while it runs, so the
    /// model's own changes and other reads wait for it: at most <paramref name="timeLimit"/>.
    /// </summary>
    public SqlQueryResult Query(string sql, IReadOnlyList<string> parameters, int limit, TimeSpan timeLimit, CancellationToken ct)
    {
        lock (_gate)
        {
            return _sandbox.Run(sql, parameters, limit, timeLimit, ct);
        }
    }

    /// <summary>The model's tables and views, their columns, indexes and foreign keys.</summary>
    public SchemaDescription DescribeSchema()
    {
        lock (_gate)
        {
            return SchemaReader.Describe(_db);
        }
    }

    /// <summary>Stops following the store and releases the database.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_waitGate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
#pragma warning disable VSTHRD003 // the follow loop is this type's own background task
            await _follow.ConfigureAwait(false);
#pragma warning restore VSTHRD003
        }
        catch (OperationCanceledException)
        {
            // Stopping is the expected way out of the follow loop.
        }

        FailWaiters(new ObjectDisposedException(nameof(ReadModel)));
#pragma warning disable VSTHRD003 // the snapshot loop is this type's own background task
        await _snapshots.ConfigureAwait(false);
#pragma warning restore VSTHRD003
        if (_snapshot is not null && _fault is null && _caughtUp.Task.IsCompletedSuccessfully)
        {
            // Clean shutdown: what was applied since the last snapshot is kept for the next start.
            try
            {
                using var timeout = new CancellationTokenSource(CatchUpTimeout);
                await WriteSnapshotAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                LogSnapshotFailed(_logger, ex, _snapshot.Path);
            }
        }

        lock (_gate)
        {
            SqlCommands.Forget(_db);
            _db.Dispose();
        }

        _stop.Dispose();
        _snapshotWrite.Dispose();
    }

    /// <summary>Every table's rows as text, for tests comparing a replayed model with a live one.</summary>
    internal string DumpTables()
    {
        lock (_gate)
        {
            var sb = new System.Text.StringBuilder();
            foreach (var table in new[] { "tasks", "task_tags", "task_needed_tags", "task_wanted_tags", "dependencies", "workers", "file_locks", "claim_sequence", "task_sequence" })
            {
                sb.Append("## ").AppendLine(table);
                var rows = new List<string>();
                using var cmd = SqlCommands.Create(_db, $"SELECT * FROM {table}");
                using var reader = cmd.ExecuteReader();
                while (reader.Read())
                {
                    var row = new System.Text.StringBuilder();
                    for (var i = 0; i < reader.FieldCount; i++)
                    {
                        row.Append(reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).Append('|');
                    }

                    rows.Add(row.ToString());
                }

                rows.Sort(StringComparer.Ordinal);
                rows.ForEach(r => sb.AppendLine(r));
            }

            sb.AppendLine("## tasks_fts");
            foreach (var row in SqlCommands.Query(_db, "SELECT task_id, title, description FROM tasks_fts ORDER BY task_id", r => $"{r.GetString(0)}|{r.GetString(1)}|{r.GetString(2)}"))
            {
                sb.AppendLine(row);
            }

            return sb.ToString();
        }
    }

    private async Task FollowAsync(ulong target, long started)
    {
        if (target <= AppliedPosition)
        {
            CaughtUp(started);
        }

        var pending = new List<RecordChange>();
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await foreach (var change in _store.WatchAsync(AppliedPosition, _stop.Token).ConfigureAwait(false))
                {
                    if (change.Position <= AppliedPosition || (pending.Count > 0 && change.Position <= pending[^1].Position))
                    {
                        continue;
                    }

                    var replaying = !_caughtUp.Task.IsCompleted;
                    lock (_gate)
                    {
                        if (!_inBatch)
                        {
                            SqlCommands.Execute(_db, "BEGIN");
                            _inBatch = true;
                        }

                        ApplyOne(change);
                        pending.Add(change);
                        if (!replaying || change.Position >= target || pending.Count >= ReplayBatchSize)
                        {
                            SqlCommands.Execute(_db, "COMMIT");
                            _inBatch = false;
                            Publish(pending);
                            pending.Clear();
                        }
                    }

                    if (replaying)
                    {
                        Interlocked.Increment(ref _replayedOnStart);
                        if (change.Position >= target)
                        {
                            CaughtUp(started);
                        }
                    }
                }

                if (!_stop.IsCancellationRequested)
                {
                    throw new InvalidOperationException("The store's watch ended although it was not cancelled.");
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                break;
            }
            catch (StoreUnavailableException ex)
            {
                // The batch was not published; roll it back and resume the watch after what is applied.
                RollBack(pending);
                LogStoreUnavailable(_logger, ex, AppliedPosition);
                try
                {
                    await Task.Delay(RetryDelay, _time, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            catch (Exception ex)
            {
                RollBack(pending);
                LogFollowFailed(_logger, ex, AppliedPosition);
                Fail(ex);
                return;
            }
        }

        RollBack(pending);
    }

    private void CaughtUp(long started)
    {
        var ms = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (LoadedSnapshotPosition is { } position)
        {
            LogStartedFromSnapshot(_logger, position, ReplayedOnStart, ms, AppliedPosition);
        }
        else
        {
            // A snapshot that was there but did not fit is worth a warning; none at all (or none configured) is not.
            var discarded = _snapshot is not null && _startReason != ReadModelSnapshot.NoSnapshotReason;
            LogRebuilt(_logger, discarded ? LogLevel.Warning : LogLevel.Information, _startReason, ReplayedOnStart, ms, AppliedPosition);
        }

        _caughtUp.TrySetResult();
    }

    /// <summary>
    /// Writes a snapshot now when one is configured and something changed since the last: the database is copied to a
    /// temporary file under the gate (outside a batch), then completed and renamed over the snapshot outside it. Returns
    /// false when nothing was written (nothing new, a replay batch open, no snapshot configured, an empty store).
    /// </summary>
    internal async Task<bool> WriteSnapshotAsync(CancellationToken ct)
    {
        if (_snapshot is not { } options)
        {
            return false;
        }

        await _snapshotWrite.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (AppliedPosition == _snapshotPosition)
            {
                return false;
            }

            _firstChange ??= await ReadModelSnapshot.FirstChangeAsync(_store, ct).ConfigureAwait(false);
            if (_firstChange is null)
            {
                return false;
            }

            var begun = Stopwatch.GetTimestamp();
            SqliteConnection copy;
            string temp;
            ulong position;
            long applied;
            KeyValuePair<string, ulong>[] revisions;
            TimeSpan gateTime;
            lock (_gate)
            {
                position = AppliedPosition;
                if (_inBatch || position == 0 || position == _snapshotPosition)
                {
                    return false;
                }

                applied = _appliedCount;
                lock (_waitGate)
                {
                    revisions = [.. _appliedRevisions];
                }

                (copy, temp) = ReadModelSnapshot.CopyToTemp(_db, options.Path);
                gateTime = Stopwatch.GetElapsedTime(begun);
            }

            ReadModelSnapshot.Finish(copy, temp, options.Path, options.StoreIdentity, _firstChange, position, revisions, _time.GetUtcNow());
            Volatile.Write(ref _snapshotPosition, position);
            _snapshotAppliedCount = applied;
            _nextSnapshotDue = _time.GetUtcNow() + options.EveryInterval;
            LastSnapshotGateTime = gateTime;
            var totalMs = (long)Stopwatch.GetElapsedTime(begun).TotalMilliseconds;
            LogSnapshotWritten(_logger, position, options.Path, (long)gateTime.TotalMilliseconds, totalMs);
            return true;
        }
        finally
        {
            _snapshotWrite.Release();
        }
    }

    /// <summary>Every second: a snapshot after <c>EveryChanges</c> changes, or after <c>EveryInterval</c> with any change.</summary>
    private async Task SnapshotLoopAsync()
    {
        var options = _snapshot!;
        var poll = options.EveryInterval < TimeSpan.FromSeconds(1) ? options.EveryInterval : TimeSpan.FromSeconds(1);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(poll, _time, _stop.Token).ConfigureAwait(false);
                long since;
                lock (_gate)
                {
                    since = _appliedCount - _snapshotAppliedCount;
                }

                if (since >= options.EveryChanges || (since > 0 && _time.GetUtcNow() >= _nextSnapshotDue))
                {
                    await WriteSnapshotAsync(_stop.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A snapshot is an optimisation: a full disk or a read-only directory must not stop the node.
                _nextSnapshotDue = _time.GetUtcNow() + options.EveryInterval;
                lock (_gate)
                {
                    _snapshotAppliedCount = _appliedCount;
                }

                LogSnapshotFailed(_logger, ex, options.Path);
            }
        }
    }

    private void ApplyOne(RecordChange change)
    {
        try
        {
            _projector.Apply(change);
        }
        catch (Exception ex) when (ChangeProjector.IsUndecodable(ex))
        {
            // One unreadable record must not stop every node's read model; it is skipped loudly.
            LogUndecodable(_logger, ex, change.Key, change.Position);
        }
    }

    private void RollBack(List<RecordChange> pending)
    {
        lock (_gate)
        {
            if (_inBatch)
            {
                SqlCommands.Execute(_db, "ROLLBACK");
                _inBatch = false;
            }
        }

        pending.Clear();
    }

    private void Publish(List<RecordChange> applied)
    {
        if (applied.Count == 0)
        {
            return;
        }

        _appliedCount += applied.Count;
        lock (_waitGate)
        {
            foreach (var change in applied)
            {
                if (!_appliedRevisions.TryGetValue(change.Key, out var known) || change.Revision > known)
                {
                    _appliedRevisions[change.Key] = change.Revision;
                }
            }

            var position = applied[^1].Position;
            Volatile.Write(ref _appliedPosition, position);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                var w = _waiters[i];
                var done = w.Key is null
                    ? position >= w.Target
                    : _appliedRevisions.TryGetValue(w.Key, out var rev) && rev >= w.Target;
                if (done)
                {
                    _waiters.RemoveAt(i);
                    w.Completion.TrySetResult();
                }
            }
        }
    }

    private void Fail(Exception ex)
    {
        lock (_waitGate)
        {
            _fault = ex;
        }

        _caughtUp.TrySetException(Stopped());
        FailWaiters(Stopped());
    }

    private void FailWaiters(Exception ex)
    {
        lock (_waitGate)
        {
            foreach (var w in _waiters)
            {
                w.Completion.TrySetException(ex);
            }

            _waiters.Clear();
        }
    }

    private InvalidOperationException Stopped() =>
        _fault is null
            ? new InvalidOperationException("The read model is disposed.")
            : new InvalidOperationException("The read model stopped following the store: " + _fault.Message, _fault);

    private async ValueTask AwaitAsync(Waiter waiter, CancellationToken ct)
    {
        using var registration = ct.Register(() =>
        {
            lock (_waitGate)
            {
                _waiters.Remove(waiter);
            }

            waiter.Completion.TrySetCanceled(ct);
        });
#pragma warning disable VSTHRD003 // the completion source is this type's own waiter
        await waiter.Completion.Task.ConfigureAwait(false);
#pragma warning restore VSTHRD003
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "read model: loaded snapshot at position {Position}, replayed {Replayed} changes in {ElapsedMs} ms (caught up at {Applied})")]
    private static partial void LogStartedFromSnapshot(ILogger logger, ulong position, long replayed, long elapsedMs, ulong applied);

    [LoggerMessage(EventId = 1104, Message = "read model: rebuilt from scratch ({Reason}), replayed {Replayed} changes in {ElapsedMs} ms (caught up at {Applied})")]
    private static partial void LogRebuilt(ILogger logger, LogLevel level, string reason, long replayed, long elapsedMs, ulong applied);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Debug, Message = "read model: snapshot at position {Position} written to {Path} (gate held {GateMs} ms, {TotalMs} ms in all)")]
    private static partial void LogSnapshotWritten(ILogger logger, ulong position, string path, long gateMs, long totalMs);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Warning, Message = "read model: snapshot could not be written to {Path}; the node keeps serving")]
    private static partial void LogSnapshotFailed(ILogger logger, Exception ex, string path);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Error, Message = "Read model skipped undecodable record {Key} at position {Position}")]
    private static partial void LogUndecodable(ILogger logger, Exception ex, string key, ulong position);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Read model lost the store's watch after position {Position}; retrying")]
    private static partial void LogStoreUnavailable(ILogger logger, Exception ex, ulong position);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Critical, Message = "Read model stopped following the store after position {Position}")]
    private static partial void LogFollowFailed(ILogger logger, Exception ex, ulong position);

    private sealed class Waiter(string? key, ulong target)
    {
        public string? Key { get; } = key;

        public ulong Target { get; } = target;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
