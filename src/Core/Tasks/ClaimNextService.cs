using TaskGraph.Core.Claims;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Graph;
using TaskGraph.Core.ReadModels;
using TaskGraph.Core.Records;
using TaskGraph.Core.Workers;

namespace TaskGraph.Core.Tasks;

/// <summary>
/// Claim-next: claims the best task a worker may take now. The read model proposes candidates (ready, qualifying, within the
/// filters), ranked by priority, then wanted-tag fit (how many of the task's wanted tags the worker holds), then age; the
/// claim rule (<see cref="TaskService.ClaimAsync(string, string, bool, CancellationToken)"/>, which re-reads the store and compare-and-swaps) decides each one, so a
/// task never goes to two workers however stale the read model is.
/// </summary>
/// <remarks>
/// A candidate lost to another worker or to a stale read (ALREADY_CLAIMED, CONFLICT, DEPENDENCY_NOT_SATISFIED, TAG_MISMATCH,
/// TASK_NOT_FOUND, INVALID_STATE) is skipped. After <see cref="MaxAttemptsPerRound"/> lost candidates, or when there are none,
/// the read model catches up with the store and the candidates are read once more; an empty list then is NO_READY_TASK
/// (with counts of why). When those are lost too, a last caught-up read decides: none left is NO_READY_TASK, some left is
/// CONFLICT (the crowd kept winning; retry). Every other error (CLAIM_LIMIT_REACHED, LEASE_EXPIRED,
/// AGENT_NOT_FOUND, STORE_UNAVAILABLE, ...) propagates at once. A worker at its claim limit gets CLAIM_LIMIT_REACHED, with
/// or without candidates.
/// <para>
/// Spreading a crowd: the n-th concurrent call on this node starts at position n (mod its size) of the best group of
/// equally ranked candidates (same priority and fit); after losing a race it jumps to a random untried candidate of the same
/// group. A lone caller therefore always gets the first task in order.
/// </para>
/// </remarks>
public sealed class ClaimNextService
{
    private readonly GraphContext _context;
    private readonly WorkerService _workers;
    private readonly TaskService _tasks;
    private readonly ReadModel _reads;

    internal ClaimNextService(GraphContext context, WorkerService workers, TaskService tasks, ReadModel reads)
    {
        _context = context;
        _workers = workers;
        _tasks = tasks;
        _reads = reads;
    }

    /// <summary>Candidates tried before the candidates are read again (once), then before giving up with CONFLICT.</summary>
    public const int MaxAttemptsPerRound = 16;

    /// <summary>How many ranked candidates one read fetches.</summary>
    public const int CandidateWindow = 64;

    private int _inFlight;

    /// <summary>
    /// Claims the best ready task for the worker; throws <see cref="TaskGraphException"/> with NO_READY_TASK when nothing
    /// within the filters is claimable.
    /// </summary>
    public async Task<ClaimNextResult> ClaimNextAsync(ClaimNextRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Limits.Id(request.WorkerId, "worker_id");
        var tagsAny = Limits.Tags(request.TagsAny, "tags_any");
        var phase = Limits.Text(request.Phase, "phase", Limits.IdLength);
        var parent = request.Parent is null ? null : Limits.Id(request.Parent, "parent");
        var spread = Interlocked.Increment(ref _inFlight) - 1;
        try
        {
            var worker = (await _workers.RequireLiveAsync(request.WorkerId, "worker_id", cancellationToken).ConfigureAwait(false)).Value;
            if (parent is not null && await _context.Records.GetTaskAsync(parent, cancellationToken).ConfigureAwait(false) is null)
            {
                throw TaskGraphException.TaskNotFound(parent, "parent");
            }

            var config = _context.Config;
            var workflow = config.WorkflowFor(worker.Workflow, worker.Overlays);
            var rules = TaskQueryRules.From(config, workflow);
            var claimableFromInitial = workflow.CanMove(rules.InitialState, workflow.ClaimState);
            var query = new ClaimCandidateQuery
            {
                WorkerId = worker.Id,
                AgentTags = worker.Tags,
                TagsAny = tagsAny,
                Phase = phase,
                Parent = parent,
                Limit = CandidateWindow,
            };
            var attempts = 0;
            var lostAll = false;
            for (var round = 0; round < 2; round++)
            {
                var refreshed = round > 0;
                if (refreshed)
                {
                    await CatchUpAsync(cancellationToken).ConfigureAwait(false);
                }

                var candidates = _reads.ClaimCandidates(query, rules);
                lostAll = candidates.Count > 0;
                if (!lostAll)
                {
                    continue;
                }

                var order = new AttemptOrder(candidates, spread);
                var contended = false;
                for (var tried = 0; tried < MaxAttemptsPerRound && order.Next(contended) is { } candidate; tried++)
                {
                    attempts++;
                    try
                    {
                        var claim = await _tasks.ClaimAsync(worker.Id, candidate, force: false, request.Prompts, cancellationToken).ConfigureAwait(false);
                        return new ClaimNextResult(claim, attempts, refreshed);
                    }
                    catch (TaskGraphException ex) when (IsLostCandidate(ex.Code, claimableFromInitial))
                    {
                        contended = ex.Code is ErrorCodes.AlreadyClaimed or ErrorCodes.Conflict;
                    }
                }
            }

            // Every candidate of the refreshed read was lost as well: if others took the last ones, that is NO_READY_TASK;
            // if candidates remain, the crowd kept winning and the caller may retry.
            if (lostAll)
            {
                await CatchUpAsync(cancellationToken).ConfigureAwait(false);
                if (_reads.ClaimCandidates(query with { Limit = 1 }, rules).Count > 0)
                {
                    throw new TaskGraphException(ErrorCodes.Conflict, $"Other agents took every candidate first ({attempts} tried); try again.")
                    {
                        Field = "task",
                        Details = new Dictionary<string, object?> { ["attempts"] = attempts },
                        Suggestion = "Call claim again; many agents are claiming the same _tasks at this moment.",
                    };
                }
            }

            await ThrowIfAtClaimLimitAsync(worker, cancellationToken).ConfigureAwait(false);
            throw NoReadyTask(worker.Id, _reads.CountUnclaimable(query, rules), attempts);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private static bool IsLostCandidate(string code, bool claimableFromInitial) => code switch
    {
        ErrorCodes.AlreadyClaimed or ErrorCodes.Conflict or ErrorCodes.DependencyNotSatisfied or ErrorCodes.TagMismatch or ErrorCodes.TaskNotFound => true,

        // The task moved on (claimed and finished meanwhile) — unless the workflow cannot claim from its initial state at all.
        ErrorCodes.InvalidState => claimableFromInitial,
        _ => false,
    };

    private static TaskGraphException NoReadyTask(string workerId, UnclaimableCounts counts, int attempts)
    {
        var suggestions = new List<string>();
        if (counts.Blocked > 0 || counts.Claimed > 0)
        {
            suggestions.Add("Tasks become ready as other agents finish theirs: wait a little and call claim again (list_tasks(blocked=true) shows what waits).");
        }

        if (counts.TagMismatch > 0)
        {
            suggestions.Add("Some ready _tasks need tags you lack (needed_tags, wanted_tags): leave them to agents that have them, or reconnect with those tags.");
        }

        if (suggestions.Count == 0)
        {
            suggestions.Add("Nothing is left to claim within these filters: every task is finished, or none matches.");
        }

        return new TaskGraphException(
            ErrorCodes.NoReadyTask,
            $"No task is ready for worker '{workerId}': {counts.Blocked} blocked, {counts.Claimed} claimed by others, {counts.TagMismatch} needing tags you lack.")
        {
            Details = new Dictionary<string, object?>
            {
                ["blocked"] = counts.Blocked,
                ["claimed"] = counts.Claimed,
                ["tag_mismatch"] = counts.TagMismatch,
                ["attempts"] = attempts,
            },
            Suggestion = string.Join(" ", suggestions),
        };
    }

    /// <summary>Waits until the read model reflects every change the store had committed when this began.</summary>
    private async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        var position = await _context.Records.Store.GetPositionAsync(cancellationToken).ConfigureAwait(false);
        await _reads.WaitForPositionAsync(position, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// With no candidate, a worker at its claim limit is told so (as the claim ledger would): its reservations that are in
    /// flight or whose task it still owns fill its limit.
    /// </summary>
    private async Task ThrowIfAtClaimLimitAsync(WorkerRecord worker, CancellationToken cancellationToken)
    {
        var configured = _context.Config.Server.ClaimLimit;
        var limit = Math.Max(1, worker.MaxClaims > 0 ? Math.Min(worker.MaxClaims, configured) : configured);
        if (worker.Claims.Count < limit)
        {
            return;
        }

        var now = _context.NowMs;
        var held = new List<string>();
        foreach (var claim in worker.Claims)
        {
            if (now - claim.At < ClaimLedger.InFlightGrace.TotalMilliseconds
                || (await _context.Records.GetTaskAsync(claim.TaskId, cancellationToken).ConfigureAwait(false))?.Value.Owner == worker.Id)
            {
                held.Add(claim.TaskId);
            }
        }

        if (held.Count >= limit)
        {
            throw new TaskGraphException(ErrorCodes.ClaimLimitReached, $"Worker '{worker.Id}' already holds {held.Count} task(s), its claim limit is {limit}.")
            {
                Field = "worker_id",
                Details = new Dictionary<string, object?> { ["claim_limit"] = limit, ["claimed"] = held.ToArray() },
                Suggestion = "Complete or release a task (update status to pending) before claiming another.",
            };
        }
    }

    /// <summary>
    /// The order candidates are tried in: rank groups (same priority and fit) best first; within the first group start at
    /// <c>spread</c>; after a lost race pick a random untried candidate of the current group, after a stale one the next in order.
    /// </summary>
    private sealed class AttemptOrder
    {
        private readonly List<List<string>> _groups = [];
        private int _group;
        private bool _first = true;

        public AttemptOrder(IReadOnlyList<ClaimCandidate> candidates, int spread)
        {
            Spread = spread;
            ClaimCandidate? previous = null;
            foreach (var c in candidates)
            {
                if (previous is null || previous.Priority != c.Priority || previous.Fit != c.Fit)
                {
                    _groups.Add([]);
                }

                _groups[^1].Add(c.Id);
                previous = c;
            }
        }

        private int Spread { get; }

        public string? Next(bool contended)
        {
            while (_group < _groups.Count && _groups[_group].Count == 0)
            {
                _group++;
            }

            if (_group == _groups.Count)
            {
                return null;
            }

            var group = _groups[_group];
            var index = _first ? Spread % group.Count : contended ? Random.Shared.Next(group.Count) : 0;
            _first = false;
            var id = group[index];
            group.RemoveAt(index);
            return id;
        }
    }
}
