using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;

namespace TaskGraph.Core.Verification;

/// <summary>
/// Replays a store's change log in commit order, keeping every task's state and the dependency edges, and checks the
/// swarm invariants against it: every task completed exactly once, no claim while a start-blocking predecessor was
/// unfinished, no worker over its claim limit, no completion (and no acknowledged completion) by a worker that did not
/// hold the claim, no parent completed with open children, and the history complete and in commit order. It reads only
/// records and the log (never the rules code), so it judges the rules rather than repeating them.
/// </summary>
public sealed class HistoryChecker(HistoryCheckOptions options)
{
    /// <summary>A task entered the completed state more than once (or never by a transition).</summary>
    public const string CompletedNotOnce = "completed-not-once";

    /// <summary>A task's final state is not completed (or it is gone).</summary>
    public const string NotCompleted = "not-completed";

    /// <summary>A task gained an owner while a start-blocking predecessor was unfinished.</summary>
    public const string ClaimedWhileBlocked = "claimed-while-blocked";

    /// <summary>A worker owned more tasks at once than the claim limit.</summary>
    public const string OverClaimLimit = "over-claim-limit";

    /// <summary>A transition into completed whose actor was not the task's owner at the revision before.</summary>
    public const string CompletedByNonOwner = "completed-by-non-owner";

    /// <summary>A worker was told its completion succeeded, but no transition into completed by it, while it held the task, exists.</summary>
    public const string AcknowledgedWithoutClaim = "acknowledged-without-claim";

    /// <summary>Log positions or a key's revisions not strictly increasing.</summary>
    public const string OutOfOrder = "out-of-order";

    /// <summary>A revision whose recorded previous status is not the status of the revision before it: a change is missing.</summary>
    public const string MissingChange = "missing-change";

    /// <summary>A parent completed while a child was unfinished.</summary>
    public const string CompletedWithOpenChildren = "completed-with-open-children";

    /// <summary>The store's current record differs from the last revision the log holds for it.</summary>
    public const string StateMismatch = "state-mismatch";

    private readonly HistoryCheckOptions _options = options ?? throw new ArgumentNullException(nameof(options));

    /// <summary>Reads the store's whole change log, from the beginning up to its current position, in commit order.</summary>
    public static async Task<IReadOnlyList<RecordChange>> ReadLogAsync(IRecordStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var target = await store.GetPositionAsync(cancellationToken).ConfigureAwait(false);
        var log = new List<RecordChange>();
        if (target == 0)
        {
            return log;
        }

        // The watch goes on live after the backlog: stop at the position read first (leaving the loop ends the watch).
        await foreach (var change in store.WatchAsync(0, cancellationToken).ConfigureAwait(false))
        {
            log.Add(change);
            if (change.Position >= target)
            {
                break;
            }
        }

        return log;
    }

    /// <summary>Reads the store's log and its current task records and checks them, with the completions callers were told succeeded.</summary>
    public async Task<HistoryCheckResult> CheckStoreAsync(IRecordStore store, IEnumerable<AcknowledgedCompletion> acknowledged, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var log = await ReadLogAsync(store, cancellationToken).ConfigureAwait(false);
        var current = await store.ListAsync(RecordKeys.TaskPrefix, cancellationToken).ConfigureAwait(false);
        return Check(log, acknowledged, current);
    }

    /// <summary>
    /// Checks a change log (in the order given, which must be commit order), the acknowledged completions and, when
    /// given, the store's current task records (to prove the log holds every task's newest revision).
    /// </summary>
    public HistoryCheckResult Check(IReadOnlyList<RecordChange> log, IEnumerable<AcknowledgedCompletion> acknowledged, IReadOnlyList<RecordEntry>? currentTasks = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(acknowledged);
        var found = new Findings(_options.MaxReported);
        var tasks = new Dictionary<string, TaskState>(StringComparer.Ordinal);
        var owned = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var predecessors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var children = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var startTypes = _options.StartBlockingTypes.ToHashSet(StringComparer.Ordinal);
        var verticalTypes = _options.VerticalTypes.ToHashSet(StringComparer.Ordinal);
        var blocking = _options.BlockingStates.ToHashSet(StringComparer.Ordinal);
        var completed = _options.CompletedState;
        var claims = 0;
        var takeovers = 0;
        var completions = 0;
        ulong lastPosition = 0;
        IReadOnlyList<DependencyEdge> edges = [];

        bool Unfinished(string id) => tasks.TryGetValue(RecordKeys.Task(id), out var s) && s.Last is { IsDeleted: false } t && blocking.Contains(t.Status);

        foreach (var change in log)
        {
            if (change.Position <= lastPosition)
            {
                found.Add(OutOfOrder, $"position {change.Position} follows position {lastPosition}", change.Position);
            }

            lastPosition = Math.Max(lastPosition, change.Position);
            if (change.Key == RecordKeys.Dependencies)
            {
                predecessors.Clear();
                children.Clear();
                edges = change.Kind == ChangeKind.Delete ? [] : RecordJson.Deserialize<DependencyChangeRecord>(change.Value).ApplyTo(edges);
                foreach (var edge in edges)
                {
                    if (startTypes.Contains(edge.Type))
                    {
                        Add(predecessors, edge.To, edge.From);
                    }
                    else if (verticalTypes.Contains(edge.Type))
                    {
                        Add(children, edge.From, edge.To);
                    }
                }

                continue;
            }

            if (!change.Key.StartsWith(RecordKeys.TaskPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            if (!tasks.TryGetValue(change.Key, out var state))
            {
                state = new TaskState();
                tasks[change.Key] = state;
            }

            if (change.Revision <= state.LastRevision)
            {
                found.Add(OutOfOrder, $"{change.Key}: revision {change.Revision} follows revision {state.LastRevision}", change.Position);
            }

            state.LastRevision = change.Revision;
            var prev = state.Last;
            if (change.Kind == ChangeKind.Delete)
            {
                if (prev?.Owner is { } gone)
                {
                    Remove(owned, gone, prev.Id);
                }

                state.Last = null;
                state.Deleted = true;
                continue;
            }

            var task = RecordJson.Deserialize<TaskRecord>(change.Value);
            state.Id = task.Id;
            state.Deleted = false;
            if (prev is null)
            {
                if (task.Change is { } first && first.Kind is not (ChangeKinds.Create or ChangeKinds.Rename))
                {
                    found.Add(MissingChange, $"task '{task.Id}': first revision in the log is a '{first.Kind}', not its creation", change.Position, task.Id);
                }
            }
            else if (task.Change?.FromStatus is { } from && from != prev.Status)
            {
                found.Add(MissingChange, $"task '{task.Id}': revision {change.Revision} moved from '{from}' but the revision before it was '{prev.Status}'", change.Position, task.Id);
            }

            if (task.Owner is { } owner && owner != prev?.Owner)
            {
                claims++;
                if (state.HeldWithoutCompletion)
                {
                    takeovers++;
                }

                state.HeldWithoutCompletion = true;
                var open = predecessors.TryGetValue(task.Id, out var preds) ? preds.Where(Unfinished).ToList() : [];
                if (open.Count > 0)
                {
                    found.Add(ClaimedWhileBlocked, $"task '{task.Id}' claimed by '{owner}' while predecessor(s) {string.Join(", ", open.Select(p => $"'{p}'"))} were unfinished", change.Position, task.Id, owner);
                }
            }

            if (prev?.Owner != task.Owner)
            {
                if (prev?.Owner is { } former)
                {
                    Remove(owned, former, task.Id);
                }

                if (task.Owner is { } holder)
                {
                    if (!owned.TryGetValue(holder, out var set))
                    {
                        set = new HashSet<string>(StringComparer.Ordinal);
                        owned[holder] = set;
                    }

                    set.Add(task.Id);
                    if (set.Count > _options.ClaimLimit)
                    {
                        found.Add(OverClaimLimit, $"worker '{holder}' owned {set.Count} tasks at once (limit {_options.ClaimLimit}): {string.Join(", ", set.Order(StringComparer.Ordinal))}", change.Position, task.Id, holder);
                    }
                }
            }

            if (task.Status == completed && prev?.Status != completed)
            {
                completions++;
                state.HeldWithoutCompletion = false;
                var actor = task.Change?.Actor;
                state.Completions.Add(new CompletionSeen(actor, prev?.Owner, change.Position));
                if (state.Completions.Count > 1)
                {
                    found.Add(CompletedNotOnce, $"task '{task.Id}' entered '{completed}' a {Ordinal(state.Completions.Count)} time (by '{actor}')", change.Position, task.Id, actor);
                }

                // A rollup completes an unowned parent whose children are finished (checked below): nobody's claim is bypassed.
                var rollup = task.Change?.Kind == ChangeKinds.Rollup && prev?.Owner is null;
                if ((actor is null || actor != prev?.Owner) && !rollup)
                {
                    found.Add(CompletedByNonOwner, $"task '{task.Id}' completed by '{actor}' while its owner was '{prev?.Owner}'", change.Position, task.Id, actor);
                }

                var openChildren = children.TryGetValue(task.Id, out var kids) ? kids.Where(Unfinished).ToList() : [];
                if (openChildren.Count > 0)
                {
                    found.Add(CompletedWithOpenChildren, $"task '{task.Id}' completed while child(ren) {string.Join(", ", openChildren.Select(c => $"'{c}'"))} were unfinished", change.Position, task.Id, actor);
                }
            }

            state.Last = task;
        }

        var byId = new Dictionary<string, TaskState>(StringComparer.Ordinal);
        foreach (var (key, state) in tasks)
        {
            if (state.Id is not null)
            {
                byId[state.Id] = state;
            }

            if (!_options.RequireAllCompleted)
            {
                continue;
            }

            var name = state.Id ?? key;
            if (state.Last is null || state.Last.IsDeleted)
            {
                found.Add(NotCompleted, $"task '{name}' was deleted", 0, name);
            }
            else if (state.Last.Status != completed)
            {
                found.Add(NotCompleted, $"task '{name}' ended in '{state.Last.Status}' (owner '{state.Last.Owner}')", 0, name, state.Last.Owner);
            }
            else if (state.Completions.Count == 0)
            {
                found.Add(CompletedNotOnce, $"task '{name}' is completed but never entered '{completed}' by a transition", 0, name);
            }
        }

        foreach (var ack in acknowledged.DistinctBy(a => (a.WorkerId, a.TaskId)))
        {
            var seen = byId.TryGetValue(ack.TaskId, out var s) ? s.Completions : [];
            if (!seen.Any(c => c.Actor == ack.WorkerId && c.PreviousOwner == ack.WorkerId))
            {
                var what = seen.Count == 0
                    ? "the log holds no transition into completed"
                    : "the log's completion(s): " + string.Join("; ", seen.Select(c => $"by '{c.Actor}' at {c.Position} while owned by '{c.PreviousOwner}'"));
                found.Add(AcknowledgedWithoutClaim, $"worker '{ack.WorkerId}' was told it completed task '{ack.TaskId}', but {what}", 0, ack.TaskId, ack.WorkerId);
            }
        }

        if (currentTasks is not null)
        {
            var live = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in currentTasks)
            {
                live.Add(entry.Key);
                if (!tasks.TryGetValue(entry.Key, out var state) || state.LastRevision != entry.Revision || state.Deleted)
                {
                    found.Add(StateMismatch, $"{entry.Key}: the store holds revision {entry.Revision}, the log's last is {state?.LastRevision ?? 0}", 0);
                }
            }

            foreach (var (key, state) in tasks.Where(t => !t.Value.Deleted && !live.Contains(t.Key)))
            {
                found.Add(StateMismatch, $"{key}: in the log (revision {state.LastRevision}) but not in the store", 0);
            }
        }

        return new HistoryCheckResult
        {
            Changes = log.Count,
            Tasks = tasks.Count,
            Completions = completions,
            Claims = claims,
            Takeovers = takeovers,
            ViolationCount = found.Count,
            Violations = found.Kept,
            ViolationsByKind = found.ByKind,
        };
    }

    private static void Add(Dictionary<string, List<string>> index, string key, string value)
    {
        if (!index.TryGetValue(key, out var list))
        {
            list = [];
            index[key] = list;
        }

        list.Add(value);
    }

    private static void Remove(Dictionary<string, HashSet<string>> owned, string worker, string taskId)
    {
        if (owned.TryGetValue(worker, out var set))
        {
            set.Remove(taskId);
        }
    }

    private static string Ordinal(int n) => n switch { 2 => "second", 3 => "third", _ => $"{n}th" };

    private sealed record CompletionSeen(string? Actor, string? PreviousOwner, ulong Position);

    private sealed class TaskState
    {
        public string? Id { get; set; }

        public TaskRecord? Last { get; set; }

        public ulong LastRevision { get; set; }

        public bool Deleted { get; set; }

        public bool HeldWithoutCompletion { get; set; }

        public List<CompletionSeen> Completions { get; } = [];
    }

    private sealed class Findings(int max)
    {
        public int Count { get; private set; }

        public List<HistoryViolation> Kept { get; } = [];

        public Dictionary<string, int> ByKind { get; } = new(StringComparer.Ordinal);

        public void Add(string kind, string message, ulong position, string? taskId = null, string? workerId = null)
        {
            Count++;
            ByKind[kind] = ByKind.GetValueOrDefault(kind) + 1;
            if (Kept.Count < max)
            {
                Kept.Add(new HistoryViolation(kind, message, position, taskId, workerId));
            }
        }
    }
}
