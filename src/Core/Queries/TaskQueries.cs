using TaskGraph.Core.Errors;
using TaskGraph.Core.Graph;
using TaskGraph.Core.ReadModels;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;

namespace TaskGraph.Core.Queries;

/// <summary>
/// The task reads every transport uses: get, list, scan and search. Each validates its arguments once, here, answers
/// from the read model (get reads the task itself fresh from the store) and takes a <see cref="QueryScope"/>. The
/// dependency-type roles (start-blocking, vertical) come from the config, never from type names.
/// </summary>
public sealed class TaskQueries
{
    private readonly GraphContext _context;
    private readonly ReadModel _reads;

    internal TaskQueries(GraphContext context, ReadModel reads)
    {
        _context = context;
        _reads = reads;
    }

    private static readonly string[] SortFields = ["priority", "created_at", "updated_at"];

    /// <summary>One task, soft-deleted included, with what blocks it, its parent and its children; TASK_NOT_FOUND otherwise.</summary>
    public async Task<TaskDetail> GetAsync(string id, QueryScope scope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        Limits.Id(id, "task");
        TaskRecord task;
        LivenessRecord? owner = null;
        try
        {
            task = (await _context.Records.GetTaskAsync(id, cancellationToken).ConfigureAwait(false) ?? throw TaskGraphException.TaskNotFound(id)).Value;
            owner = task.Owner is { } o ? (await _context.Records.GetLivenessAsync(o, cancellationToken).ConfigureAwait(false))?.Value : null;
        }
        catch (HubUnreachableException)
        {
            // An edge node cut off from its hub answers from its read model (the answer says since when it may be stale).
            task = _reads.GetTask(id) ?? throw TaskGraphException.TaskNotFound(id);
        }

        var rules = Rules();
        return new TaskDetail(WithThought(task, owner), _reads.BlockedBy(id, rules, unsatisfiedOnly: true), _reads.Parent(id, rules), _reads.Children(id, rules));
    }

    /// <summary>
    /// A page of tasks matching <paramref name="query"/>, each with the predecessors still blocking it; with
    /// <paramref name="agent"/>, only tasks that registered worker qualifies for (its tags replace <c>AgentTags</c>).
    /// </summary>
    public async Task<TaskList> ListAsync(TaskListQuery query, string? agent, QueryScope scope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(scope);
        if (query.Limit is < 0 or > 1000)
        {
            throw TaskGraphException.Invalid("limit", "limit must be between 0 and 1000");
        }

        if (query.Offset < 0)
        {
            throw TaskGraphException.Invalid("offset", "offset must be zero or positive");
        }

        if (query.SortBy is { } sortBy && !SortFields.Contains(sortBy))
        {
            throw TaskGraphException.Invalid("sort_by", $"sort_by must be priority, created_at or updated_at, got '{sortBy}'");
        }

        if (query.SortOrder is not (null or "asc" or "desc"))
        {
            throw TaskGraphException.Invalid("sort_order", $"sort_order must be asc or desc, got '{query.SortOrder}'");
        }

        if (agent is not null)
        {
            var worker = await WorkerAsync(Limits.Id(agent, "agent"), cancellationToken).ConfigureAwait(false)
                ?? throw TaskGraphException.AgentNotFound(agent, "agent");
            query = query with { AgentTags = worker.Tags };
        }

        foreach (var s in query.Statuses.Where(s => !_context.Config.StateNames.Contains(s)))
        {
            throw new TaskGraphException(ErrorCodes.InvalidState, $"Invalid state '{s}'. Valid states: [{string.Join(", ", _context.Config.StateNames)}]") { Field = "status" };
        }

        var rules = Rules();
        var page = _reads.ListTasks(query, rules);
        var owners = await OwnersLivenessAsync(page.Tasks, cancellationToken).ConfigureAwait(false);
        return new TaskList(
            [.. page.Tasks.Select(t => new ListedTask(WithThought(t, t.Owner is { } o ? owners.GetValueOrDefault(o) : null), _reads.BlockedBy(t.Id, rules, unsatisfiedOnly: true)))],
            page.HasMore,
            query.Offset,
            query.Limit);
    }

    /// <summary>
    /// The task's record as this node's read model holds it (soft-deleted included), or null when unknown: no
    /// validation, no store read. For filters and watchers that look at a task's tags, status or owner many times.
    /// </summary>
    public TaskRecord? Find(string id) => _reads.GetTask(id);

    /// <summary>A page of tasks matching <paramref name="query"/> from the read model, as the resources list them (no validation, no thoughts).</summary>
    public TaskPage Page(TaskListQuery query) => _reads.ListTasks(query, Rules());

    /// <summary>The status summary of the graph, or of <paramref name="parent"/>'s subtree (which must exist).</summary>
    public StatusSummary Summary(string? parent)
    {
        if (parent is not null && _reads.GetTask(Limits.Id(parent, "parent")) is null)
        {
            throw TaskGraphException.TaskNotFound(parent, "parent");
        }

        return _reads.Summarize(parent, Rules());
    }

    /// <summary>The tasks <paramref name="workerId"/> owns, from the read model.</summary>
    public IReadOnlyList<TaskRecord> OwnedBy(string workerId) => _reads.TasksOwnedBy(workerId);

    /// <summary>Every owned task with its owner, from the read model.</summary>
    public IEnumerable<(string TaskId, string Owner)> Claims() =>
        _reads.Workers().SelectMany(w => _reads.TasksOwnedBy(w.Id).Select(t => (t.Id, w.Id)));

    /// <summary>A task's neighbourhood: each depth 0 none, N levels, -1 all.</summary>
    public ScanResult Scan(string id, int before, int after, int above, int below, QueryScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        Limits.Id(id, "task");
        foreach (var (value, field) in new[] { (before, "before"), (after, "after"), (above, "above"), (below, "below") })
        {
            if (value < -1)
            {
                throw TaskGraphException.Invalid(field, $"{field} must be -1 (all), 0 (none) or a positive depth");
            }
        }

        return _reads.GetTask(id) is null ? throw TaskGraphException.TaskNotFound(id) : _reads.Scan(id, before, after, above, below, Rules());
    }

    /// <summary>Full-text search (attachment text too when asked); <paramref name="limit"/> 1..100 (default: the page size, at most 20).</summary>
    public SearchResults Search(string query, int? limit, int offset, IReadOnlyList<string> statuses, QueryScope scope, bool includeAttachments = false)
    {
        ArgumentNullException.ThrowIfNull(statuses);
        ArgumentNullException.ThrowIfNull(scope);
        Limits.Text(query, "query", 1000);
        if (limit is < 1 or > 100)
        {
            throw TaskGraphException.Invalid("limit", "limit must be between 1 and 100");
        }

        if (offset < 0)
        {
            throw TaskGraphException.Invalid("offset", "offset must be zero or positive");
        }

        var size = limit ?? Math.Min(_context.Config.Server.DefaultPageSize, 20);
        return new SearchResults(_reads.Search(query, size, offset, statuses.Count == 0 ? null : statuses, includeAttachments: includeAttachments), size, offset);
    }

    /// <summary>
    /// The task with its owner's current thought, which lives with the owner's lease in the volatile key space (never in
    /// the task's durable record, so thoughts add nothing to the log or history).
    /// </summary>
    private static TaskRecord WithThought(TaskRecord task, LivenessRecord? owner) => task with { CurrentThought = owner?.ThoughtOn(task.Id) };

    /// <summary>A worker from the store; on an edge node cut off from its hub, from the read model.</summary>
    private async Task<WorkerRecord?> WorkerAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            return (await _context.Records.GetWorkerAsync(id, cancellationToken).ConfigureAwait(false))?.Value;
        }
        catch (HubUnreachableException)
        {
            return _reads.Workers().FirstOrDefault(w => w.Id == id);
        }
    }

    /// <summary>The liveness of the owners of <paramref name="tasks"/>: one read each for a few, else one listing.</summary>
    private async Task<IReadOnlyDictionary<string, LivenessRecord>> OwnersLivenessAsync(IReadOnlyList<TaskRecord> tasks, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadOwnersLivenessAsync(tasks, cancellationToken).ConfigureAwait(false);
        }
        catch (HubUnreachableException)
        {
            // Cut off from the hub: the owners' heartbeats and thoughts are not known here; the tasks still are.
            return new Dictionary<string, LivenessRecord>(StringComparer.Ordinal);
        }
    }

    private async Task<IReadOnlyDictionary<string, LivenessRecord>> ReadOwnersLivenessAsync(IReadOnlyList<TaskRecord> tasks, CancellationToken cancellationToken)
    {
        const int readEachUpTo = 8;
        var owners = tasks.Select(t => t.Owner).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (owners.Count > readEachUpTo)
        {
            return await _context.Records.ListLivenessAsync(cancellationToken).ConfigureAwait(false);
        }

        var read = await Task.WhenAll(owners.Select(o => _context.Records.GetLivenessAsync(o, cancellationToken).AsTask())).ConfigureAwait(false);
        return read.OfType<Versioned<LivenessRecord>>().ToDictionary(v => v.Value.Id, v => v.Value, StringComparer.Ordinal);
    }

    /// <summary>The ready and blocked rules of the default workflow and the configured dependency types.</summary>
    public TaskQueryRules Rules() => TaskQueryRules.From(_context.Config);
}
