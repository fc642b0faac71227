using TaskGraph.Core.Errors;
using TaskGraph.Core.Graph;
using TaskGraph.Core.ReadModels;
using TaskGraph.Core.Records;
using TaskGraph.Core.Workers;

namespace TaskGraph.Core.Queries;

/// <summary>
/// list_agents: evicts stale workers first (as task-graph-mcp does; 0 disables it), then selects by tags, by the holder of
/// a file's mark, and by ownership of a task or of the tasks within a few dependency hops of it.
/// </summary>
public sealed class WorkerQueries
{
    private readonly GraphContext _context;
    private readonly WorkerService _workers;
    private readonly ReadModel _reads;
    private readonly MarkQueries _marks;

    internal WorkerQueries(GraphContext context, WorkerService workers, ReadModel reads, MarkQueries marks)
    {
        _context = context;
        _workers = workers;
        _reads = reads;
        _marks = marks;
    }

    /// <summary>The worker's registration as this node's read model has it (null when unknown); no store call.</summary>
    public WorkerRecord? Registered(string workerId) => _reads.Workers().FirstOrDefault(w => w.Id == workerId);

    /// <summary>The workers matching <paramref name="request"/>, ordered by id.</summary>
    public async Task<AgentList> ListAsync(AgentListRequest request, QueryScope scope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(scope);
        var timeout = request.StaleTimeoutSeconds ?? _context.Config.Server.StaleTimeoutSeconds;
        if (timeout < 0)
        {
            throw TaskGraphException.Invalid("stale_timeout", "stale_timeout must be zero or positive");
        }

        if (request.Depth is < -3 or > 3)
        {
            throw TaskGraphException.Invalid("depth", "depth must be between -3 and 3");
        }

        var cleanup = timeout > 0 ? await _workers.CleanupStaleAsync(timeout, null, null, cancellationToken).ConfigureAwait(false) : null;
        var views = await _workers.ListAsync(cancellationToken).ConfigureAwait(false);
        var owners = request.Task is { } task ? Neighbourhood(Limits.Id(task, "task"), Math.Abs(request.Depth)) : null;
        var fileHolder = request.File is { } file ? _marks.HolderOf(file) ?? string.Empty : null;
        var selected = views
            .Where(v => request.Tags.All(v.Worker.Tags.Contains))
            .Where(v => owners is null || v.OwnedTaskIds.Any(owners.Contains))
            .Where(v => fileHolder is null || v.Worker.Id == fileHolder)
            .OrderBy(v => v.Worker.Id, StringComparer.Ordinal)
            .ToList();
        return new AgentList(selected, cleanup, _context.NowMs);
    }

    /// <summary>The task and every task within <paramref name="hops"/> dependency edges of it, either direction, any type.</summary>
    private HashSet<string> Neighbourhood(string task, int hops)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal) { task };
        var frontier = new List<string> { task };
        for (var i = 0; i < hops && frontier.Count > 0; i++)
        {
            var next = new List<string>();
            foreach (var id in frontier)
            {
                next.AddRange(_reads.EdgesTo(id).Select(e => e.From));
                next.AddRange(_reads.EdgesFrom(id).Select(e => e.To));
            }

            frontier = [.. next.Where(ids.Add)];
        }

        return ids;
    }
}
