using TaskGraph.Core.Claims;
using TaskGraph.Core.Configuration;
using TaskGraph.Core.Dependencies;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Graph;
using TaskGraph.Core.Ids;
using TaskGraph.Core.Leases;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Workers;
using TaskGraph.Core.Workflows;

namespace TaskGraph.Core.Tasks;

/// <summary>
/// Task rules: create, the unified transition (update and claim), delete and rename. Every mutation is read, decide,
/// compare-and-swap; a lost race re-reads and decides again.
/// </summary>
public sealed class TaskService(GraphContext context, WorkerService workers, DependencyService dependencies)
{
    private readonly ClaimLedger _ledger = new(context);
    private readonly WorkReleaser _releaser = new(context);

    /// <summary>Creates a task (and its <c>contains</c> edge when a parent is given).</summary>
    public async Task<CreateTaskResult> CreateAsync(CreateTaskRequest request, CancellationToken cancellationToken = default)
    {
        var (draft, phaseWarning, tagWarnings, titleWarning) = Draft(request);
        if (request.Parent is not null)
        {
            Limits.Id(request.Parent, "parent");
            if (await context.Records.GetTaskAsync(request.Parent, cancellationToken).ConfigureAwait(false) is null)
            {
                throw TaskGraphException.TaskNotFound(request.Parent, "parent");
            }
        }

        var (task, _) = await InsertAsync(draft, request.Id is null, cancellationToken).ConfigureAwait(false);
        if (request.Parent is not null)
        {
            await dependencies.AddEdgesAsync([new DependencyEdge(request.Parent, task.Id, "contains")], request.Actor, cancellationToken).ConfigureAwait(false);
        }

        return new CreateTaskResult(task, phaseWarning, tagWarnings, titleWarning);
    }

    /// <summary>Creates a tree of tasks with parent/child and optional sibling edges.</summary>
    public async Task<CreateTreeResult> CreateTreeAsync(
        TreeNode tree, string? parent, string childType, string? siblingType, string? actor, CancellationToken cancellationToken = default)
    {
        var types = context.Config.Dependencies;
        if (!types.ContainsKey(childType))
        {
            throw TaskGraphException.Invalid("child_type", $"Invalid dependency type '{childType}'. Valid types: [{string.Join(", ", types.Keys)}]");
        }

        if (siblingType is not null && !types.ContainsKey(siblingType))
        {
            throw TaskGraphException.Invalid("sibling_type", $"Invalid dependency type '{siblingType}'. Valid types: [{string.Join(", ", types.Keys)}]");
        }

        if (parent is not null && await context.Records.GetTaskAsync(Limits.Id(parent, "parent"), cancellationToken).ConfigureAwait(false) is null)
        {
            throw TaskGraphException.TaskNotFound(parent, "parent");
        }

        // Validate the whole tree before writing anything. A user-given id that exists is ALREADY_EXISTS here, before
        // any write; generated ids are only drafts until their create-if-absent insert wins (it may redraw).
        var drafts = new List<(TreeNode Node, TaskRecord? Draft, string Id)>();
        var phaseWarnings = new List<string>();
        var tagWarnings = new List<string>();
        var userIds = new HashSet<string>(StringComparer.Ordinal);
        var count = 0;
        async Task WalkAsync(TreeNode node)
        {
            if (++count > Limits.ListCount)
            {
                throw TaskGraphException.Invalid("tree", $"tree may hold at most {Limits.ListCount} nodes");
            }

            if (node.Ref is not null)
            {
                Limits.Id(node.Ref, "ref");
                if (await context.Records.GetTaskAsync(node.Ref, cancellationToken).ConfigureAwait(false) is null)
                {
                    throw new TaskGraphException(ErrorCodes.TaskNotFound, $"Referenced task '{node.Ref}' not found") { Field = "ref" };
                }

                drafts.Add((node, null, node.Ref));
            }
            else
            {
                var (draft, phaseWarning, tags, _) = Draft(node.Task with { Actor = actor });
                if (node.Task.Id is not null)
                {
                    if (!userIds.Add(draft.Id))
                    {
                        throw new TaskGraphException(ErrorCodes.AlreadyExists, $"Task '{draft.Id}' appears twice in the tree") { Field = "tree" };
                    }

                    if (await context.Records.GetTaskAsync(draft.Id, cancellationToken).ConfigureAwait(false) is not null)
                    {
                        throw new TaskGraphException(ErrorCodes.AlreadyExists, $"Task '{draft.Id}' already exists") { Field = "id" };
                    }
                }

                if (phaseWarning is not null)
                {
                    phaseWarnings.Add($"Task '{draft.Id}': {phaseWarning}");
                }

                tagWarnings.AddRange(tags.Select(t => $"Task '{draft.Id}': {t}"));
                drafts.Add((node, draft, draft.Id));
            }

            foreach (var child in node.Children)
            {
                await WalkAsync(child).ConfigureAwait(false);
            }
        }

        await WalkAsync(tree).ConfigureAwait(false);

        // A drafted id must not clash with another node of the tree or a ref: redraw it (the store decides the rest).
        var taken = new HashSet<string>(userIds, StringComparer.Ordinal);
        taken.UnionWith(drafts.Where(d => d.Draft is null).Select(d => d.Id));
        var idConfig = context.Config.Ids;
        for (var i = 0; i < drafts.Count; i++)
        {
            var (node, draft, id) = drafts[i];
            if (draft is null || node.Task.Id is not null)
            {
                continue;
            }

            // An id some task already has would be checked against that task's edges: draw a fresh one before the check.
            for (var attempt = 0; !taken.Add(id) || await context.Records.GetTaskAsync(id, cancellationToken).ConfigureAwait(false) is not null; attempt++)
            {
                id = context.Petnames.Next(IdDraw.WordsFor(idConfig.TaskIdWords, attempt), idConfig.IdCase);
            }

            drafts[i] = (node, draft with { Id = id }, id);
        }

        var idOf = new Dictionary<TreeNode, string>(ReferenceEqualityComparer.Instance);
        foreach (var d in drafts)
        {
            idOf[d.Node] = d.Id;
        }

        await dependencies.CheckEdgesAsync(TreeEdges(tree, parent, childType, siblingType, drafts, idOf), cancellationToken).ConfigureAwait(false);

        // Insert: user-given ids first (the only inserts that can be refused), then the generated ones, whose final id
        // may differ from the draft. The edges are built from the final ids: new tasks have no edges yet, so the check
        // above still holds for them. A refusal after the first write undoes the tree's inserts: never half a tree. (When
        // the outcome is unknown, a timeout or a cancel, the edges may have landed, so the tasks stay.)
        var inserted = new List<(string Id, ulong Revision)>();
        try
        {
            foreach (var userFirst in new[] { true, false })
            {
                for (var i = 0; i < drafts.Count; i++)
                {
                    var (node, draft, _) = drafts[i];
                    if (draft is null || (node.Task.Id is not null) != userFirst)
                    {
                        continue;
                    }

                    var (task, revision) = await InsertAsync(draft, node.Task.Id is null, cancellationToken).ConfigureAwait(false);
                    inserted.Add((task.Id, revision));
                    drafts[i] = (node, task, task.Id);
                    idOf[node] = task.Id;
                }
            }

            await dependencies.AddEdgesAsync(TreeEdges(tree, parent, childType, siblingType, drafts, idOf), actor, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (inserted.Count > 0 && !IsOutcomeUnknown(ex))
        {
            await UndoInsertsAsync(inserted).ConfigureAwait(false);
            throw;
        }

        var root = drafts[0].Draft ?? (await context.Records.GetTaskAsync(drafts[0].Id, cancellationToken).ConfigureAwait(false))!.Value.Value;
        return new CreateTreeResult(root, [.. drafts.Select(d => d.Id)], phaseWarnings, tagWarnings);
    }

    private static List<DependencyEdge> TreeEdges(
        TreeNode tree, string? parent, string childType, string? siblingType, List<(TreeNode Node, TaskRecord? Draft, string Id)> drafts, Dictionary<TreeNode, string> idOf)
    {
        var edges = new List<DependencyEdge>();
        if (parent is not null)
        {
            edges.Add(new DependencyEdge(parent, idOf[tree], childType));
        }

        foreach (var (node, _, _) in drafts)
        {
            var id = idOf[node];
            string? previous = null;
            foreach (var child in node.Children)
            {
                edges.Add(new DependencyEdge(id, idOf[child], childType));
                if (siblingType is not null && previous is not null)
                {
                    edges.Add(new DependencyEdge(previous, idOf[child], siblingType));
                }

                previous = idOf[child];
            }
        }

        return edges;
    }

    /// <summary>Removes the tasks a failed create_tree inserted, each at the revision it was created at (best effort).</summary>
    private async Task UndoInsertsAsync(IReadOnlyList<(string Id, ulong Revision)> inserted)
    {
        foreach (var (id, revision) in inserted)
        {
            try
            {
                var deleted = await context.Records.DeleteAsync(RecordKeys.Task(id), revision, CancellationToken.None).ConfigureAwait(false);
                await context.SeenAsync(RecordKeys.Task(id), deleted, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ConcurrencyConflictException or StoreUnavailableException)
            {
                // Someone already changed the new task (it is visible once created); it stays theirs.
            }
        }
    }

    /// <summary>Reads a task fresh from the store (soft-deleted included).</summary>
    public async Task<TaskRecord> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        Limits.Id(id, "task");
        var task = await context.Records.GetTaskAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw TaskGraphException.TaskNotFound(id);
        return task.Value;
    }

    /// <summary>Claims a task: an update to the worker's first timed state.</summary>
    public Task<UpdateTaskResult> ClaimAsync(string workerId, string taskId, bool force, CancellationToken cancellationToken = default) =>
        UpdateAsync(new UpdateTaskRequest { WorkerId = workerId, TaskId = taskId, Force = force, IsClaim = true }, cancellationToken);

    /// <summary>The unified transition: owner guard, state, exits, then assign / claim / release / complete.</summary>
    public async Task<UpdateTaskResult> UpdateAsync(UpdateTaskRequest request, CancellationToken cancellationToken = default)
    {
        Limits.Id(request.TaskId, "task");
        Limits.Text(request.Title, "title", Limits.TitleLength);
        Limits.Text(request.Description, "description", Limits.DescriptionLength);
        Limits.Text(request.Reason, "reason");
        Limits.Text(request.Phase, "phase", Limits.IdLength);
        if (request.Assignee is not null)
        {
            Limits.Id(request.Assignee, "assignee");
        }

        var tags = request.Tags is null ? null : Limits.Tags(request.Tags, "tags");
        var needed = request.NeededTags is null ? null : Limits.Tags(request.NeededTags, "needed_tags");
        var wanted = request.WantedTags is null ? null : Limits.Tags(request.WantedTags, "wanted_tags");
        var tagWarnings = new List<string>();
        foreach (var (list, field) in new[] { (tags, "tags"), (needed, "needed_tags"), (wanted, "wanted_tags") })
        {
            if (list is not null)
            {
                tagWarnings.AddRange(TagPolicy.Check(context.Config.Tags, list, field));
            }
        }

        var reserved = new List<string>();
        var requestId = Guid.NewGuid().ToString("N");
        TaskRecord? decidedFrom = null;
        WorkflowDefinition? decidedWorkflow = null;
        (TaskRecord Before, TaskRecord After) outcome;
        string? phaseWarning = null;
        try
        {
            outcome = await context.RetryAsync(async _ =>
            {
                // The three reads a decision needs are independent: issue them together (one round trip of latency, not three).
                var taskRead = context.Records.GetTaskAsync(request.TaskId, cancellationToken).AsTask();
                var depsRead = context.Records.GetDependenciesAsync(cancellationToken).AsTask();
                Versioned<WorkerRecord> caller;
                try
                {
                    caller = await workers.RequireLiveAsync(request.WorkerId, "worker_id", cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    await Task.WhenAll(taskRead, depsRead).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).ConfigureAwait(false);
                    var lapsed = ex is TaskGraphException { Code: ErrorCodes.LeaseExpired } && taskRead.IsCompletedSuccessfully
                        ? await taskRead.ConfigureAwait(false)
                        : null;
                    if (lapsed is { } l && l.Value.Owner != request.WorkerId && !l.Value.IsDeleted)
                    {
                        // A worker past its deadline whose task is someone else's (or finished) now: say who has it.
                        throw ClaimFence.LeaseLapsed(request.WorkerId, l.Value, "worker_id");
                    }

                    throw;
                }

                var workflow = context.Config.WorkflowFor(caller.Value.Workflow);
                decidedWorkflow = workflow;
                var current = await taskRead.ConfigureAwait(false) ?? throw TaskGraphException.TaskNotFound(request.TaskId);
                var deps = await depsRead.ConfigureAwait(false);
                var task = current.Value;
                if (decidedFrom is not null && task.Change?.RequestId == requestId)
                {
                    // An earlier attempt's write timed out but did land: it is ours, do not apply it twice.
                    return (decidedFrom, task);
                }

                if (task.IsDeleted)
                {
                    throw new TaskGraphException(ErrorCodes.TaskNotFound, $"Task '{task.Id}' is deleted") { Field = "task" };
                }

                var now = context.NowMs;
                var ownerAlive = task.Owner is not null && (task.Owner == caller.Value.Id
                    || Lease.IsAlive((await context.Records.GetWorkerAsync(task.Owner, cancellationToken).ConfigureAwait(false))?.Value, now));
                var status = request.IsClaim ? workflow.ClaimState : request.Status ?? (request.Assignee is not null ? workflow.Settings.AssignedState : task.Status);

                // The guards (TransitionGuards): owner, fence, finished by another; then state exists and exit is legal.
                TransitionGuards.Owner(task, caller.Value.Id, ownerAlive, request.IsClaim, request.Force, workflow, status);
                TransitionGuards.Fence(task, caller.Value.Id, request.IsClaim, request.Force, workflow);
                TransitionGuards.NotFinishedByAnother(task, caller.Value.Id, request.IsClaim, request.Status, workflow);
                if (request.IsClaim && task.Owner == caller.Value.Id && workflow.IsTimed(task.Status))
                {
                    return (task, task);
                }

                TransitionGuards.StateExists(workflow, status);
                TransitionGuards.ExitLegal(workflow, task.Status, status);

                phaseWarning = CheckPhase(request.Phase, workflow);
                var next = task with
                {
                    Title = request.Title ?? task.Title,
                    Description = request.Description ?? task.Description,
                    Priority = request.Priority is { } p ? Math.Clamp(p, 0, 10) : task.Priority,
                    Points = request.Points ?? task.Points,
                    TimeEstimateMs = request.TimeEstimateMs ?? task.TimeEstimateMs,
                    Tags = tags ?? task.Tags,
                    NeededTags = needed ?? task.NeededTags,
                    WantedTags = wanted ?? task.WantedTags,
                    Phase = request.Phase ?? task.Phase,
                    UpdatedAt = now,
                };
                var owner = task.Owner;
                var kind = status != task.Status ? ChangeKinds.Status : next.Phase != task.Phase ? ChangeKinds.Phase : ChangeKinds.Update;

                if (request.Assignee is not null)
                {
                    // ASSIGN: the assignee must exist and qualify. Assigning into an untimed state needs no dependency
                    // check, but assigning straight into a timed state starts the work: that is a claim (invariant 2).
                    var assignee = await workers.RequireLiveAsync(request.Assignee, "assignee", cancellationToken).ConfigureAwait(false);
                    if (workflow.IsTimed(status) && !workflow.IsTimed(task.Status) && !request.Force)
                    {
                        await CheckDependenciesAsync(task.Id, workflow, deps.Value, cancellationToken).ConfigureAwait(false);
                    }

                    CheckTags(next, assignee.Value);
                    if (await _ledger.ReserveAsync(assignee, task.Id, cancellationToken).ConfigureAwait(false))
                    {
                        reserved.Add(assignee.Value.Id);
                    }

                    owner = assignee.Value.Id;
                    kind = ChangeKinds.Assign;
                }
                else if (workflow.IsTimed(status) && owner != caller.Value.Id && (request.IsClaim || request.Status is not null))
                {
                    // CLAIM
                    if (!request.Force)
                    {
                        await CheckDependenciesAsync(task.Id, workflow, deps.Value, cancellationToken).ConfigureAwait(false);
                    }

                    CheckTags(next, caller.Value);
                    if (await _ledger.ReserveAsync(caller, task.Id, cancellationToken, status, next.Phase).ConfigureAwait(false))
                    {
                        reserved.Add(caller.Value.Id);
                    }

                    owner = caller.Value.Id;
                    kind = ChangeKinds.Claim;
                }
                else if (workflow.IsTimed(status) && !workflow.IsTimed(task.Status) && !request.Force)
                {
                    // An assignee starting work still needs its predecessors done.
                    await CheckDependenciesAsync(task.Id, workflow, deps.Value, cancellationToken).ConfigureAwait(false);
                }
                else if (status != task.Status && !workflow.IsTimed(status))
                {
                    if (workflow.IsTerminal(status) || status == workflow.Settings.CompletedState)
                    {
                        await CheckChildrenAsync(task.Id, workflow, cancellationToken).ConfigureAwait(false);
                    }

                    owner = null;
                    kind = owner != task.Owner ? ChangeKinds.Release : ChangeKinds.Status;
                }

                next = StatusChange.Apply(next, status, workflow, now);
                if (status != task.Status)
                {
                    next = next with { FinishedBy = ClaimFence.IsFinished(workflow, status) ? caller.Value.Id : null };
                }

                if (owner != task.Owner)
                {
                    next = next with { Owner = owner, ClaimedAt = owner is null ? null : now, LeaseEpoch = task.LeaseEpoch + 1 };
                    kind = owner is null ? ChangeKinds.Release : kind;
                    var how = kind switch
                    {
                        ChangeKinds.Claim => ownerAlive ? ChangeKinds.Force : ChangeKinds.Takeover,
                        ChangeKinds.Assign => ChangeKinds.Assign,
                        _ => ownerAlive ? ChangeKinds.Release : ChangeKinds.Takeover,
                    };
                    next = ClaimFence.Apply(task, next, caller.Value.Id, how, now);
                }

                next = next with
                {
                    Change = new TaskChange
                    {
                        Kind = kind,
                        Actor = caller.Value.Id,
                        Reason = request.Reason,
                        FromStatus = task.Status,
                        FromPhase = task.Phase,
                        RequestId = requestId,
                    },
                };
                decidedFrom = task;
                var revision = await context.Records.PutTaskAsync(next, current.Revision, cancellationToken).ConfigureAwait(false);
                await context.SeenAsync(RecordKeys.Task(next.Id), revision, cancellationToken).ConfigureAwait(false);
                return (task, next);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!IsOutcomeUnknown(ex))
        {
            // The claim was decided against (or never sent): its reservation goes. When the outcome is unknown (the store
            // timed out, or the caller gave up mid-write) the claim may have landed, so the reservation stays; a leftover
            // only makes the limit stricter until it is pruned (ClaimLedger), whereas dropping a landed claim's reservation
            // would let the worker exceed its limit and hide the task from the sweeper.
            foreach (var workerId in reserved)
            {
                await _ledger.UnreserveAsync(workerId, request.TaskId, CancellationToken.None).ConfigureAwait(false);
            }

            throw;
        }

        var (before, after) = outcome;
        var unblocked = new List<string>();
        var advanced = new List<string>();
        string? aftermathWarning = null;
        try
        {
            if (!ReferenceEquals(before, after))
            {
                await AfterTransitionAsync(request.WorkerId, decidedWorkflow, before, after, reserved, unblocked, advanced, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // Re-claiming a task you hold is a heartbeat.
                await workers.HeartbeatAsync(request.WorkerId, always: false, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (IsAftermathFault(ex))
        {
            // The change itself has landed: answering an error now would make the caller retry a done transition. What
            // the outage cut short is derived or harmless: readiness is computed from the dependencies (an auto-advance
            // may be missed, the dependent is still ready), a leftover reservation only tightens the limit until it is
            // pruned, and the caller's marks on the task stay until it unmarks them or disconnects.
            aftermathWarning = "The change was saved, but the store stopped answering before its follow-up steps finished: "
                + "dependents may not be auto-advanced and your marks on this task may remain (unmark them once the store answers).";
        }

        return new UpdateTaskResult(after, before, unblocked, advanced, phaseWarning, tagWarnings) { AftermathWarning = aftermathWarning };
    }

    private static bool IsAftermathFault(Exception ex) =>
        ex is StoreUnavailableException or ConcurrencyConflictException
        || ex is TaskGraphException { Code: ErrorCodes.StoreUnavailable or ErrorCodes.Conflict };

    private static bool IsOutcomeUnknown(Exception ex) =>
        ex is OperationCanceledException || ex is TaskGraphException { Code: ErrorCodes.StoreUnavailable };

    /// <summary>Soft-deletes (or obliterates) a task, cascading to its <c>contains</c> descendants when asked.</summary>
    public async Task<bool> DeleteAsync(
        string workerId, string taskId, bool cascade, string? reason, bool obliterate, bool force, CancellationToken cancellationToken = default)
    {
        Limits.Id(taskId, "task");
        Limits.Text(reason, "reason");
        var caller = await workers.RequireLiveAsync(workerId, "worker_id", cancellationToken).ConfigureAwait(false);
        var task = await context.Records.GetTaskAsync(taskId, cancellationToken).ConfigureAwait(false)
            ?? throw TaskGraphException.TaskNotFound(taskId);
        var now = context.NowMs;
        if (task.Value.Owner is { } owner && owner != caller.Value.Id && !force
            && Lease.IsAlive((await context.Records.GetWorkerAsync(owner, cancellationToken).ConfigureAwait(false))?.Value, now))
        {
            throw new TaskGraphException(ErrorCodes.NotOwner, $"Task is claimed by worker '{owner}'. Use force=true to override.") { Field = "task" };
        }

        var graph = DependencyGraph.Of((await context.Records.GetDependenciesAsync(cancellationToken).ConfigureAwait(false)).Value.Edges, context.Config.Dependencies);
        var descendants = graph.Descendants(taskId);
        var liveChildren = new List<string>();
        foreach (var child in graph.Children(taskId))
        {
            var c = await context.Records.GetTaskAsync(child, cancellationToken).ConfigureAwait(false);
            if (c is { } ct && (obliterate || !ct.Value.IsDeleted))
            {
                liveChildren.Add(child);
            }
        }

        if (liveChildren.Count > 0 && !cascade)
        {
            throw new TaskGraphException(ErrorCodes.InvalidFieldValue, "Task has children; use cascade=true to delete")
            {
                Field = "cascade",
                Details = new Dictionary<string, object?> { ["children"] = liveChildren.ToArray() },
            };
        }

        var targets = cascade ? [taskId, .. descendants] : new List<string> { taskId };
        if (!force)
        {
            foreach (var id in targets.Skip(1))
            {
                var child = await context.Records.GetTaskAsync(id, cancellationToken).ConfigureAwait(false);
                if (child is { Value.Owner: { } childOwner } && childOwner != caller.Value.Id
                    && Lease.IsAlive((await context.Records.GetWorkerAsync(childOwner, cancellationToken).ConfigureAwait(false))?.Value, now))
                {
                    throw new TaskGraphException(ErrorCodes.NotOwner, $"Descendant '{id}' is claimed by worker '{childOwner}'. Use force=true to override.") { Field = "task" };
                }
            }
        }
        if (obliterate)
        {
            foreach (var id in targets)
            {
                await context.RetryAsync(async _ =>
                {
                    var t = await context.Records.GetTaskAsync(id, cancellationToken).ConfigureAwait(false);
                    if (t is null)
                    {
                        return 0UL;
                    }

                    var revision = await context.Records.DeleteAsync(RecordKeys.Task(id), t.Value.Revision, cancellationToken).ConfigureAwait(false);
                    await context.SeenAsync(RecordKeys.Task(id), revision, cancellationToken).ConfigureAwait(false);
                    if (t.Value.Value.Owner is { } o)
                    {
                        await _ledger.UnreserveAsync(o, id, cancellationToken).ConfigureAwait(false);
                    }

                    return revision;
                }, cancellationToken).ConfigureAwait(false);
            }

            await dependencies.RemoveTasksAsync(targets, caller.Value.Id, cancellationToken).ConfigureAwait(false);
            await RemoveMarksOfTasksAsync(targets, cancellationToken).ConfigureAwait(false);
            return false;
        }

        foreach (var id in targets)
        {
            await context.RetryAsync(async _ =>
            {
                var t = await context.Records.GetTaskAsync(id, cancellationToken).ConfigureAwait(false);
                if (t is not { } current || current.Value.IsDeleted)
                {
                    return 0UL;
                }

                var next = current.Value with
                {
                    DeletedAt = context.NowMs,
                    DeletedBy = caller.Value.Id,
                    DeletedReason = reason,
                    Owner = null,
                    ClaimedAt = null,
                    LeaseEpoch = current.Value.Owner is null ? current.Value.LeaseEpoch : current.Value.LeaseEpoch + 1,
                    UpdatedAt = context.NowMs,
                    Change = new TaskChange { Kind = ChangeKinds.Delete, Actor = caller.Value.Id, Reason = reason, FromStatus = current.Value.Status, FromPhase = current.Value.Phase },
                };
                var revision = await context.Records.PutTaskAsync(next, current.Revision, cancellationToken).ConfigureAwait(false);
                await context.SeenAsync(RecordKeys.Task(id), revision, cancellationToken).ConfigureAwait(false);
                if (current.Value.Owner is { } o)
                {
                    await _ledger.UnreserveAsync(o, id, cancellationToken).ConfigureAwait(false);
                }

                return revision;
            }, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>Renames a task and rewrites every reference (edges, marks, the owner's claim).</summary>
    public async Task RenameAsync(string workerId, string taskId, string newId, CancellationToken cancellationToken = default)
    {
        Limits.Id(taskId, "task");
        Limits.Id(newId, "new_id");
        var caller = await workers.RequireLiveAsync(workerId, "worker_id", cancellationToken).ConfigureAwait(false);
        var old = await context.Records.GetTaskAsync(taskId, cancellationToken).ConfigureAwait(false)
            ?? throw new TaskGraphException(ErrorCodes.TaskNotFound, $"Task '{taskId}' not found") { Field = "task" };
        if (taskId == newId)
        {
            return;
        }

        var renamed = old.Value with
        {
            Id = newId,
            UpdatedAt = context.NowMs,
            Change = new TaskChange { Kind = ChangeKinds.Rename, Actor = caller.Value.Id, RenamedFrom = taskId, FromStatus = old.Value.Status, FromPhase = old.Value.Phase },
        };
        ulong created;
        try
        {
            created = await context.Records.PutTaskAsync(renamed, 0, cancellationToken).ConfigureAwait(false);
        }
        catch (ConcurrencyConflictException)
        {
            throw new TaskGraphException(ErrorCodes.AlreadyExists, $"Task '{newId}' already exists") { Field = "new_id" };
        }

        try
        {
            // The delete at the revision we copied is the fence: if the old task changed meanwhile, undo the copy.
            var deleted = await context.Records.DeleteAsync(RecordKeys.Task(taskId), old.Revision, cancellationToken).ConfigureAwait(false);
            await context.SeenAsync(RecordKeys.Task(taskId), deleted, cancellationToken).ConfigureAwait(false);
        }
        catch (ConcurrencyConflictException)
        {
            await context.Records.DeleteAsync(RecordKeys.Task(newId), created, CancellationToken.None).ConfigureAwait(false);
            throw new TaskGraphException(ErrorCodes.Conflict, $"Task '{taskId}' changed during the rename; nothing was renamed. Try again.") { Field = "task" };
        }

        await context.SeenAsync(RecordKeys.Task(newId), created, cancellationToken).ConfigureAwait(false);
        await dependencies.RenameTaskAsync(taskId, newId, caller.Value.Id, cancellationToken).ConfigureAwait(false);
        var marks = await context.Records.Store.ListAsync(RecordKeys.MarkPrefix, cancellationToken).ConfigureAwait(false);
        foreach (var entry in marks)
        {
            var mark = RecordJson.Deserialize<MarkRecord>(entry.Value);
            if (mark.TaskId == taskId)
            {
                try
                {
                    var revision = await context.Records.PutMarkAsync(mark with { TaskId = newId }, entry.Revision, cancellationToken).ConfigureAwait(false);
                    await context.SeenAsync(entry.Key, revision, cancellationToken).ConfigureAwait(false);
                }
                catch (ConcurrencyConflictException)
                {
                    // Released or re-marked meanwhile; its new holder decides what it points at.
                }
            }
        }

        if (old.Value.Owner is { } owner)
        {
            await context.RetryAsync(async _ =>
            {
                var w = await context.Records.GetWorkerAsync(owner, cancellationToken).ConfigureAwait(false);
                if (w is not { } worker || !worker.Value.Claims.Any(c => c.TaskId == taskId))
                {
                    return false;
                }

                var claims = worker.Value.Claims.Select(c => c.TaskId == taskId ? c with { TaskId = newId } : c).ToList();
                await context.Records.PutWorkerAsync(worker.Value with { Claims = claims }, worker.Revision, cancellationToken).ConfigureAwait(false);
                return true;
            }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Ids of the start-blocking predecessors of a task; with <paramref name="unsatisfiedOnly"/>, only those still blocking.</summary>
    public async Task<IReadOnlyList<string>> BlockersAsync(string taskId, WorkflowDefinition workflow, bool unsatisfiedOnly, CancellationToken cancellationToken)
    {
        var deps = (await context.Records.GetDependenciesAsync(cancellationToken).ConfigureAwait(false)).Value;
        if (unsatisfiedOnly)
        {
            return await BlockersAsync(taskId, workflow, deps, cancellationToken).ConfigureAwait(false);
        }

        return [.. DependencyGraph.Of(deps.Edges, context.Config.Dependencies).StartBlockers(taskId)];
    }

    /// <summary>The start-blocking predecessors of a task that still block it, read together.</summary>
    private async Task<IReadOnlyList<string>> BlockersAsync(string taskId, WorkflowDefinition workflow, DependencyGraphRecord deps, CancellationToken cancellationToken)
    {
        var blockers = DependencyGraph.Of(deps.Edges, context.Config.Dependencies).StartBlockers(taskId).ToList();
        var reads = await Task.WhenAll(blockers.Select(b => context.Records.GetTaskAsync(b, cancellationToken).AsTask())).ConfigureAwait(false);
        return [.. reads.Where(r => r is { } t && !t.Value.IsDeleted && workflow.IsBlocking(t.Value.Status)).Select(r => r!.Value.Value.Id)];
    }

    private async Task AfterTransitionAsync(
        string callerId, WorkflowDefinition? callerWorkflow, TaskRecord before, TaskRecord after, List<string> reserved, List<string> unblocked, List<string> advanced,
        CancellationToken cancellationToken)
    {
        // The former owner's reservation goes (it released, or someone took the task over). When the caller is that
        // owner, the reservation goes in the same write as the caller's bookkeeping below.
        var formerOwner = before.Owner is { } f && f != after.Owner ? f : null;
        if (formerOwner is not null && formerOwner != callerId)
        {
            await _ledger.UnreserveAsync(formerOwner, before.Id, cancellationToken).ConfigureAwait(false);
        }

        // A reservation made on an attempt that lost, for a task someone else ended up owning, goes too.
        foreach (var workerId in reserved.Where(w => w != after.Owner))
        {
            await _ledger.UnreserveAsync(workerId, before.Id, cancellationToken).ConfigureAwait(false);
        }

        // A claim's reservation write already carried the caller's prompt state and a fresh lease: nothing to settle.
        var workflow = reserved.Contains(callerId) && after.Owner == callerId && callerWorkflow is not null
            ? callerWorkflow
            : await SettleCallerAsync(callerId, after, formerOwner == callerId ? before.Id : null, cancellationToken).ConfigureAwait(false);
        if (before.Status != after.Status && (workflow.IsTerminal(after.Status) || after.Status == "completed"))
        {
            await RemoveMarksOfTasksAsync([after.Id], cancellationToken).ConfigureAwait(false);
        }

        if (workflow.IsBlocking(before.Status) && !workflow.IsBlocking(after.Status))
        {
            await PropagateUnblockAsync(after, workflow, unblocked, advanced, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The caller's bookkeeping after a transition (prompt state, heartbeat) and, when it released
    /// <paramref name="droppedTaskId"/>, dropping that reservation: one read and at most one write. Returns the caller's workflow.
    /// </summary>
    private async Task<WorkflowDefinition> SettleCallerAsync(string callerId, TaskRecord after, string? droppedTaskId, CancellationToken cancellationToken)
    {
        string? workflowName = null;
        try
        {
            await context.RetryAsync(async _ =>
            {
                if (await context.Records.GetWorkerAsync(callerId, cancellationToken).ConfigureAwait(false) is not { } current)
                {
                    return false;
                }

                var worker = current.Value;
                workflowName = worker.Workflow;
                var now = context.NowMs;
                var timeout = context.Config.Server.StaleTimeoutSeconds;
                var drop = droppedTaskId is not null && worker.Claims.Any(c => c.TaskId == droppedTaskId);
                var bookkeeping = worker.LastStatus != after.Status || worker.LastPhase != after.Phase;
                if (!drop && !bookkeeping)
                {
                    if (Lease.NeedsRenewal(worker, now, timeout))
                    {
                        // A heartbeat only: the volatile key space, nothing in the durable log.
                        await LeaseRenewal.RenewAsync(context, worker, cancellationToken).ConfigureAwait(false);
                    }

                    return false;
                }

                var next = drop ? worker with { Claims = [.. worker.Claims.Where(c => c.TaskId != droppedTaskId)] } : worker;
                if (bookkeeping)
                {
                    next = Lease.Renew(next, now, timeout) with { LastStatus = after.Status, LastPhase = after.Phase };
                }

                try
                {
                    await context.Records.PutWorkerAsync(next, current.Revision, cancellationToken).ConfigureAwait(false);
                }
                catch (ConcurrencyConflictException) when (!drop)
                {
                    // Only bookkeeping (prompt state, heartbeat): the worker's own next call refreshes it.
                }

                return true;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (TaskGraphException ex) when (ex.Code == ErrorCodes.Conflict)
        {
            // A leftover reservation only makes the limit stricter until it is pruned; never looser.
        }

        return context.Config.WorkflowFor(workflowName);
    }

    private async Task PropagateUnblockAsync(TaskRecord blocker, WorkflowDefinition workflow, List<string> unblocked, List<string> advanced, CancellationToken cancellationToken)
    {
        var graph = DependencyGraph.Of((await context.Records.GetDependenciesAsync(cancellationToken).ConfigureAwait(false)).Value.Edges, context.Config.Dependencies);
        var initial = workflow.Settings.InitialState;
        var autoAdvance = context.Config.AutoAdvance;
        foreach (var dependentId in graph.StartDependents(blocker.Id))
        {
            var dependent = await context.Records.GetTaskAsync(dependentId, cancellationToken).ConfigureAwait(false);
            if (dependent is not { } d || d.Value.Status != initial || d.Value.Owner is not null || d.Value.IsDeleted)
            {
                continue;
            }

            var stillBlocked = false;
            foreach (var other in graph.StartBlockers(dependentId))
            {
                var o = await context.Records.GetTaskAsync(other, cancellationToken).ConfigureAwait(false);
                stillBlocked |= o is { } ot && !ot.Value.IsDeleted && workflow.IsBlocking(ot.Value.Status);
            }

            if (stillBlocked)
            {
                continue;
            }

            unblocked.Add(dependentId);
            if (autoAdvance.Enabled && autoAdvance.TargetState is { } target && workflow.CanMove(initial, target))
            {
                try
                {
                    var now = context.NowMs;
                    var next = StatusChange.Apply(d.Value, target, workflow, now) with
                    {
                        UpdatedAt = now,
                        Change = new TaskChange { Kind = ChangeKinds.AutoAdvance, Reason = $"auto-advanced: blocker '{blocker.Id}' completed", FromStatus = d.Value.Status, FromPhase = d.Value.Phase },
                    };
                    var revision = await context.Records.PutTaskAsync(next, d.Revision, cancellationToken).ConfigureAwait(false);
                    await context.SeenAsync(RecordKeys.Task(dependentId), revision, cancellationToken).ConfigureAwait(false);
                    advanced.Add(dependentId);
                }
                catch (ConcurrencyConflictException)
                {
                    // Someone else moved it first; it is no longer ours to advance.
                }
            }
        }
    }

    private async Task CheckDependenciesAsync(string taskId, WorkflowDefinition workflow, DependencyGraphRecord deps, CancellationToken cancellationToken)
    {
        var unsatisfied = await BlockersAsync(taskId, workflow, deps, cancellationToken).ConfigureAwait(false);
        if (unsatisfied.Count > 0)
        {
            throw new TaskGraphException(ErrorCodes.DependencyNotSatisfied, $"Task blocked by unsatisfied dependencies: {string.Join(", ", unsatisfied)}")
            {
                Field = "task",
                BlockedBy = unsatisfied,
                Suggestion = "Complete the blocking tasks first, pick another task from list_tasks(ready=true), or use force=true.",
            };
        }
    }

    private async Task CheckChildrenAsync(string taskId, WorkflowDefinition workflow, CancellationToken cancellationToken)
    {
        var graph = DependencyGraph.Of((await context.Records.GetDependenciesAsync(cancellationToken).ConfigureAwait(false)).Value.Edges, context.Config.Dependencies);
        var open = new List<string>();
        foreach (var child in graph.Children(taskId))
        {
            var c = await context.Records.GetTaskAsync(child, cancellationToken).ConfigureAwait(false);
            if (c is { } t && !t.Value.IsDeleted && workflow.IsBlocking(t.Value.Status))
            {
                open.Add(child);
            }
        }

        if (open.Count > 0)
        {
            throw new TaskGraphException(ErrorCodes.InvalidState, $"Cannot complete task: {open.Count} child task(s) are not complete")
            {
                Field = "status",
                BlockedBy = open,
            };
        }
    }

    private static void CheckTags(TaskRecord task, WorkerRecord worker)
    {
        foreach (var tag in task.NeededTags)
        {
            if (!worker.Tags.Contains(tag))
            {
                throw new TaskGraphException(ErrorCodes.TagMismatch, $"Agent missing required tag: {tag}")
                {
                    Field = "needed_tags",
                    Details = new Dictionary<string, object?> { ["needed_tags"] = task.NeededTags.ToArray(), ["agent_tags"] = worker.Tags.ToArray() },
                };
            }
        }

        if (task.WantedTags.Count > 0 && !task.WantedTags.Any(worker.Tags.Contains))
        {
            throw new TaskGraphException(ErrorCodes.TagMismatch, $"Agent has none of the wanted tags: {string.Join(", ", task.WantedTags)}")
            {
                Field = "wanted_tags",
                Details = new Dictionary<string, object?> { ["wanted_tags"] = task.WantedTags.ToArray(), ["agent_tags"] = worker.Tags.ToArray() },
            };
        }
    }

    private string? CheckPhase(string? phase, WorkflowDefinition workflow)
    {
        if (phase is null || workflow.Phases.Contains(phase))
        {
            return null;
        }

        var message = $"Unknown phase '{phase}'. Known phases: [{string.Join(", ", workflow.Phases.Order(StringComparer.Ordinal))}]";
        return workflow.Settings.UnknownPhase switch
        {
            "reject" => throw TaskGraphException.Invalid("phase", message),
            "allow" => null,
            _ => message,
        };
    }

    private (TaskRecord Draft, string? PhaseWarning, IReadOnlyList<string> TagWarnings, string? TitleWarning) Draft(CreateTaskRequest request)
    {
        var config = context.Config;
        if (string.IsNullOrWhiteSpace(request.Title) && string.IsNullOrWhiteSpace(request.Description))
        {
            throw new TaskGraphException(ErrorCodes.MissingRequiredField, "title or description is required") { Field = "title" };
        }

        Limits.Text(request.Title, "title", Limits.TitleLength);
        Limits.Text(request.Description, "description", Limits.DescriptionLength);
        Limits.Text(request.Phase, "phase", Limits.IdLength);
        if (request.Points is < 0)
        {
            throw TaskGraphException.Invalid("points", "points must be zero or positive");
        }

        if (request.TimeEstimateMs is < 0)
        {
            throw TaskGraphException.Invalid("time_estimate_ms", "time_estimate_ms must be zero or positive");
        }

        var id = request.Id is null ? context.Petnames.Next(config.Ids.TaskIdWords, config.Ids.IdCase) : Limits.Id(request.Id, "id");
        var title = request.Title;
        string? titleWarning = null;
        if (string.IsNullOrWhiteSpace(title))
        {
            var firstLine = request.Description!.Split('\n', 2)[0].Trim();
            title = firstLine.Length > 80 ? firstLine[..80] + "..." : firstLine;
        }
        else if (title.Length > 80 || title.Contains('\n'))
        {
            titleWarning = "Title is longer than 80 characters or has several lines; keep titles short and put detail in the description.";
        }

        var tags = Limits.Tags(request.Tags, "tags");
        var needed = Limits.Tags(request.NeededTags, "needed_tags");
        var wanted = Limits.Tags(request.WantedTags, "wanted_tags");
        var tagWarnings = TagPolicy.Check(config.Tags, [.. tags, .. needed, .. wanted], "tags");
        var workflow = config.DefaultWorkflow;
        var phaseWarning = CheckPhase(request.Phase, workflow);
        var now = context.NowMs;
        var task = new TaskRecord
        {
            Id = id,
            Title = title,
            Description = request.Description,
            Status = workflow.Settings.InitialState,
            Phase = request.Phase,
            Priority = Math.Clamp(request.Priority ?? 5, 0, 10),
            Points = request.Points,
            TimeEstimateMs = request.TimeEstimateMs,
            Tags = tags,
            NeededTags = needed,
            WantedTags = wanted,
            CreatedAt = now,
            UpdatedAt = now,
            StatusSince = now,
            Change = new TaskChange { Kind = ChangeKinds.Create, Actor = request.Actor },
        };
        return (task, phaseWarning, tagWarnings, titleWarning);
    }

    private async Task<(TaskRecord Task, ulong Revision)> InsertAsync(TaskRecord draft, bool generatedId, CancellationToken cancellationToken)
    {
        async Task<(TaskRecord, ulong)> CreateAsync(TaskRecord task)
        {
            var revision = await context.Records.PutTaskAsync(task, 0, cancellationToken).ConfigureAwait(false);
            await context.SeenAsync(RecordKeys.Task(task.Id), revision, cancellationToken).ConfigureAwait(false);
            return (task, revision);
        }

        if (generatedId)
        {
            var ids = context.Config.Ids;
            return await IdDraw.CreateAsync(context.Petnames, ids.TaskIdWords, ids.IdCase, id => CreateAsync(draft with { Id = id }), draft.Id).ConfigureAwait(false);
        }

        try
        {
            return await CreateAsync(draft).ConfigureAwait(false);
        }
        catch (ConcurrencyConflictException)
        {
            throw new TaskGraphException(ErrorCodes.AlreadyExists, $"Task '{draft.Id}' already exists") { Field = "id" };
        }
    }

    private Task RemoveMarksOfTasksAsync(IReadOnlyList<string> taskIds, CancellationToken cancellationToken) =>
        _releaser.RemoveMarksAsync(m => m.TaskId is not null && taskIds.Contains(m.TaskId), cancellationToken);
}
