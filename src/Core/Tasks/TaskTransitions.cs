using TaskGraph.Core.Claims;
using TaskGraph.Core.Dependencies;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Graph;
using TaskGraph.Core.Leases;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Workers;
using TaskGraph.Core.Workflows;

namespace TaskGraph.Core.Tasks;

/// <summary>
/// Claim and update: read what the decision needs, let <see cref="TransitionPlanner"/> decide, reserve, compare-and-swap;
/// a lost race reads and decides again. A refused or lost claim gives its reservation back (the compensation); what the
/// landed change sets off afterwards is <see cref="TransitionAftermath"/>.
/// </summary>
public sealed class TaskTransitions(GraphContext context, WorkerService workers, ClaimLedger ledger, TransitionAftermath aftermath)
{
    /// <summary>Claims a task: it moves to the worker's claim state (the first timed state of its workflow).</summary>
    public Task<UpdateTaskResult> ClaimAsync(string workerId, string taskId, bool force, CancellationToken cancellationToken = default) =>
        ClaimAsync(workerId, taskId, force, "caller", cancellationToken);

    /// <summary>Claims a task, with the transition prompts <paramref name="prompts"/> asks for (caller, all, none).</summary>
    public Task<UpdateTaskResult> ClaimAsync(string workerId, string taskId, bool force, string prompts, CancellationToken cancellationToken = default) =>
        RunAsync(new UpdateTaskRequest { WorkerId = workerId, TaskId = taskId, Force = force, Prompts = prompts }, isClaim: true, cancellationToken);

    /// <summary>The unified transition: owner guard, state, exits, then assign / claim / release / complete.</summary>
    public Task<UpdateTaskResult> UpdateAsync(UpdateTaskRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RunAsync(request, isClaim: false, cancellationToken);
    }

    private async Task<UpdateTaskResult> RunAsync(UpdateTaskRequest asked, bool isClaim, CancellationToken cancellationToken)
    {
        var (request, tagWarnings) = Validated(asked);
        var attempts = new Attempts(Guid.NewGuid().ToString("N"));
        Decided decided;
        try
        {
            decided = await context.RetryAsync(_ => AttemptAsync(request, isClaim, attempts, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!StoreFaults.IsOutcomeUnknown(ex))
        {
            // The claim was decided against (or never sent): its reservation goes. When the outcome is unknown (the store
            // timed out, or the caller gave up mid-write) the claim may have landed, so the reservation stays; a leftover
            // only makes the limit stricter until it is pruned (ClaimLedger), whereas dropping a landed claim's reservation
            // would let the worker exceed its limit and hide the task from the sweeper.
            foreach (var workerId in attempts.Reserved)
            {
                await ledger.UnreserveAsync(workerId, request.TaskId, CancellationToken.None).ConfigureAwait(false);
            }

            throw;
        }

        var unblocked = new List<string>();
        var advanced = new List<string>();
        var rolledUp = new List<string>();
        string? aftermathWarning = null;
        try
        {
            if (!ReferenceEquals(decided.Before, decided.After))
            {
                var effects = await aftermath.RunAsync(request.WorkerId, decided, attempts.Reserved, cancellationToken).ConfigureAwait(false);
                unblocked.AddRange(effects.Unblocked);
                advanced.AddRange(effects.AutoAdvanced);
                rolledUp.AddRange(effects.RolledUp);
            }
            else
            {
                // Re-claiming a task you hold is a heartbeat.
                await workers.HeartbeatAsync(request.WorkerId, always: false, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (StoreFaults.IsAftermathFault(ex))
        {
            // The change itself has landed: answering an error now would make the caller retry a done transition. What
            // the outage cut short is derived or harmless: readiness is computed from the dependencies (an auto-advance
            // may be missed, the dependent is still ready), a leftover reservation only tightens the limit until it is
            // pruned, and the caller's marks on the task stay until it unmarks them or disconnects.
            aftermathWarning = "The change was saved, but the store stopped answering before its follow-up steps finished: "
                + "dependents may not be auto-advanced and your marks on this task may remain (unmark them once the store answers).";
        }

        return new UpdateTaskResult(decided.After, decided.Before, unblocked, advanced, decided.PhaseWarning, tagWarnings)
        {
            AftermathWarning = aftermathWarning,
            RolledUp = rolledUp,
            GateWarnings = decided.Plan?.GateWarnings ?? [],
            AttachmentsAdded = decided.Plan?.AttachmentsAdded ?? [],
            AttachmentsDropped = decided.Plan?.AttachmentsDropped ?? [],
            Prompts = decided.Plan?.Prompts ?? [],
        };
    }

    /// <summary>One read, plan, reserve, compare-and-swap. Throws <see cref="ConcurrencyConflictException"/> on a lost race.</summary>
    private async Task<Decided> AttemptAsync(UpdateTaskRequest request, bool isClaim, Attempts attempts, CancellationToken cancellationToken)
    {
        // The reads a decision needs are independent: issue them together (one round trip of latency, not three).
        var taskRead = context.Records.GetTaskAsync(request.TaskId, cancellationToken).AsTask();
        var depsRead = context.Records.GetDependenciesAsync(cancellationToken).AsTask();
        var caller = await CallerAsync(request.WorkerId, taskRead, depsRead, cancellationToken).ConfigureAwait(false);
        var workflow = context.Config.WorkflowFor(caller.Value.Workflow, caller.Value.Overlays);
        var current = await taskRead.ConfigureAwait(false) ?? throw TaskGraphException.TaskNotFound(request.TaskId);
        var graph = DependencyGraph.Of((await depsRead.ConfigureAwait(false)).Value.Edges, context.Config.Dependencies);
        var task = current.Value;
        if (attempts.DecidedFrom is { } from && task.Change?.RequestId == attempts.RequestId)
        {
            // An earlier attempt's write timed out but did land: it is ours, do not apply it twice.
            return new Decided(from, task, workflow, graph, attempts.PhaseWarning) { Plan = attempts.Plan };
        }

        var now = context.NowMs;
        var assignee = request.Assignee is { } a ? await context.Records.GetWorkerAsync(a, cancellationToken).ConfigureAwait(false) : null;
        var input = new TransitionInput
        {
            Task = task,
            Caller = caller.Value,
            OwnerAlive = task.Owner is { } owner
                && (owner == caller.Value.Id || await Lease.IsAliveAsync(context.Records, owner, now, cancellationToken).ConfigureAwait(false)),
            Workflow = workflow,
            Request = request,
            IsClaim = isClaim,
            Assignee = assignee?.Value,
            AssigneeAlive = Lease.IsAlive(assignee?.Value, now),
            NowMs = now,
            RequestId = attempts.RequestId,
            PromptFrom = attempts.PromptFrom ??= (caller.Value.LastStatus, caller.Value.LastPhase),
        };
        var plan = TransitionPlanner.Plan(input);
        if (plan.Needs != TransitionNeeds.None)
        {
            plan = TransitionPlanner.Plan(input with { Facts = await FactsAsync(task.Id, plan.Needs, graph, workflow, cancellationToken).ConfigureAwait(false) });
        }

        if (plan.IsNoOp)
        {
            return new Decided(task, task, workflow, graph, null);
        }

        if (plan.Reservation is { } r)
        {
            var holder = r.WorkerId == caller.Value.Id ? caller : assignee!.Value;
            if (await ledger.ReserveAsync(holder, task.Id, cancellationToken, r.LastStatus, r.LastPhase).ConfigureAwait(false))
            {
                attempts.Reserved.Add(r.WorkerId);
            }
        }

        var next = plan.Next!;
        attempts.DecidedFrom = task;
        attempts.PhaseWarning = plan.PhaseWarning;
        var revision = await context.Records.PutTaskAsync(next, current.Revision, cancellationToken).ConfigureAwait(false);
        await context.SeenAsync(RecordKeys.Task(next.Id), revision, cancellationToken).ConfigureAwait(false);
        attempts.Plan = plan;
        return new Decided(task, next, workflow, graph, plan.PhaseWarning) { Plan = plan };
    }

    /// <summary>
    /// The caller, registered and alive. A worker past its deadline whose task is someone else's (or finished) now is told
    /// who has it rather than just that its lease lapsed.
    /// </summary>
    private async Task<Versioned<WorkerRecord>> CallerAsync(
        string workerId, Task<Versioned<TaskRecord>?> taskRead, Task<Versioned<DependencyGraphRecord>> depsRead, CancellationToken cancellationToken)
    {
        try
        {
            return await workers.RequireLiveAsync(workerId, "worker_id", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await Task.WhenAll(taskRead, depsRead).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).ConfigureAwait(false);
#pragma warning disable VSTHRD003 // the read was started by this attempt
            var lapsed = ex is TaskGraphException { Code: ErrorCodes.LeaseExpired } && taskRead.IsCompletedSuccessfully
                ? await taskRead.ConfigureAwait(false)
                : null;
#pragma warning restore VSTHRD003
            if (lapsed is { } l && l.Value.Owner != workerId && !l.Value.IsDeleted)
            {
                throw ClaimFence.LeaseLapsed(workerId, l.Value, "worker_id");
            }

            throw;
        }
    }

    /// <summary>Reads the neighbour facts a plan asked for, each set of neighbours together.</summary>
    private async Task<TransitionFacts> FactsAsync(string taskId, TransitionNeeds needs, DependencyGraph graph, WorkflowDefinition workflow, CancellationToken cancellationToken)
    {
        var facts = TransitionFacts.None;
        if (needs.HasFlag(TransitionNeeds.Blockers))
        {
            facts = facts with { UnsatisfiedBlockers = await StillBlockingAsync(graph.StartBlockers(taskId), workflow, cancellationToken).ConfigureAwait(false) };
        }

        if (needs.HasFlag(TransitionNeeds.Children))
        {
            facts = facts with { OpenChildren = await StillBlockingAsync(graph.Children(taskId), workflow, cancellationToken).ConfigureAwait(false) };
        }

        return facts;
    }

    /// <summary>Of <paramref name="ids"/>, those not deleted and in a blocking state, read together.</summary>
    internal async Task<IReadOnlyList<string>> StillBlockingAsync(IEnumerable<string> ids, WorkflowDefinition workflow, CancellationToken cancellationToken)
    {
        var reads = await Task.WhenAll(ids.Select(id => context.Records.GetTaskAsync(id, cancellationToken).AsTask())).ConfigureAwait(false);
        return [.. reads.Where(r => r is { } t && !t.Value.IsDeleted && workflow.IsBlocking(t.Value.Status)).Select(r => r!.Value.Value.Id)];
    }

    /// <summary>The request with its text and tags checked and normalised, and the tag-policy warnings.</summary>
    private (UpdateTaskRequest Request, IReadOnlyList<string> TagWarnings) Validated(UpdateTaskRequest request)
    {
        Limits.Id(request.TaskId, "task");
        Limits.Text(request.Title, "title", Limits.TitleLength);
        Limits.Text(request.Description, "description", Limits.DescriptionLength);
        Limits.Text(request.Reason, "reason");
        Limits.Text(request.Phase, "phase", Limits.IdLength);
        if (request.Prompts is not ("caller" or "all" or "none"))
        {
            throw TaskGraphException.Invalid("prompts", $"prompts must be caller, all or none, got '{request.Prompts}'");
        }

        if (request.Assignee is not null)
        {
            Limits.Id(request.Assignee, "assignee");
        }

        var normalised = request with
        {
            Tags = request.Tags is null ? null : Limits.Tags(request.Tags, "tags"),
            NeededTags = request.NeededTags is null ? null : Limits.Tags(request.NeededTags, "needed_tags"),
            WantedTags = request.WantedTags is null ? null : Limits.Tags(request.WantedTags, "wanted_tags"),
        };
        var warnings = new List<string>();
        foreach (var (list, field) in new[] { (normalised.Tags, "tags"), (normalised.NeededTags, "needed_tags"), (normalised.WantedTags, "wanted_tags") })
        {
            if (list is not null)
            {
                warnings.AddRange(TagPolicy.Check(context.Config.Tags, list, field));
            }
        }

        return (normalised, warnings);
    }

    /// <summary>What persists across the attempts of one request: its id, the reservations made, the last decision sent.</summary>
    private sealed class Attempts(string requestId)
    {
        public string RequestId { get; } = requestId;

        public List<string> Reserved { get; } = [];

        public TaskRecord? DecidedFrom { get; set; }

        public string? PhaseWarning { get; set; }

        public TransitionPlan? Plan { get; set; }

        public (string? Status, string? Phase)? PromptFrom { get; set; }
    }
}
