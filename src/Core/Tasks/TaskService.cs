using TaskGraph.Core.Attachments;
using TaskGraph.Core.Claims;
using TaskGraph.Core.Dependencies;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Graph;
using TaskGraph.Core.Leases;
using TaskGraph.Core.Records;
using TaskGraph.Core.Workers;
using TaskGraph.Core.Workflows;

namespace TaskGraph.Core.Tasks;

/// <summary>
/// The task rules in one place for their callers: creation (<see cref="TaskCreation"/>), claim and update
/// (<see cref="TaskTransitions"/>, deciding through <see cref="TransitionPlanner"/>, followed by
/// <see cref="TransitionAftermath"/>), removal and rename (<see cref="TaskRemoval"/>). Every mutation is read, decide,
/// compare-and-swap; a lost race re-reads and decides again.
/// </summary>
public sealed class TaskService
{
    private readonly GraphContext _context;
    private readonly TaskCreation _creation;
    private readonly TaskTransitions _transitions;
    private readonly TaskRemoval _removal;
    private readonly AttachmentContents _attachments;
    private readonly SubtreeCascade _cascade;

    /// <summary>Composes the task rules over <paramref name="context"/>; inline attachments are stored through <paramref name="attachments"/>.</summary>
    public TaskService(GraphContext context, WorkerService workers, DependencyService dependencies, AttachmentContents attachments)
    {
        _context = context;
        _attachments = attachments;
        var ledger = new ClaimLedger(context);
        var releaser = new WorkReleaser(context);
        _creation = new TaskCreation(context, dependencies);
        _transitions = new TaskTransitions(context, workers, ledger, new TransitionAftermath(context, ledger, releaser));
        _removal = new TaskRemoval(context, workers, dependencies, ledger, releaser, attachments);
        _cascade = new SubtreeCascade(context, workers, ledger, releaser);
    }

    /// <summary>Creates a task (and its <c>contains</c> edge when a parent is given).</summary>
    public Task<CreateTaskResult> CreateAsync(CreateTaskRequest request, CancellationToken cancellationToken = default) =>
        _creation.CreateAsync(request, cancellationToken);

    /// <summary>Creates a tree of tasks with parent/child and optional sibling edges.</summary>
    public Task<CreateTreeResult> CreateTreeAsync(
        TreeNode tree, string? parent, string childType, string? siblingType, string? actor, CancellationToken cancellationToken = default) =>
        _creation.CreateTreeAsync(tree, parent, childType, siblingType, actor, cancellationToken);

    /// <summary>Reads a task fresh from the store (soft-deleted included).</summary>
    public async Task<TaskRecord> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        Limits.Id(id, "task");
        var task = await _context.Records.GetTaskAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw TaskGraphException.TaskNotFound(id);
        return task.Value;
    }

    /// <summary>Claims a task: it moves to the worker's claim state (the first timed state of its workflow).</summary>
    public Task<UpdateTaskResult> ClaimAsync(string workerId, string taskId, bool force, CancellationToken cancellationToken = default) =>
        _transitions.ClaimAsync(workerId, taskId, force, cancellationToken);

    /// <summary>Claims a task, with the transition prompts <paramref name="prompts"/> asks for (caller, all, none).</summary>
    public Task<UpdateTaskResult> ClaimAsync(string workerId, string taskId, bool force, string prompts, CancellationToken cancellationToken = default) =>
        _transitions.ClaimAsync(workerId, taskId, force, prompts, cancellationToken);

    /// <summary>
    /// The unified transition: owner guard, state, exits, gates, then assign / claim / release / complete. Inline
    /// attachments are stored first and listed on the task by the same write, so they count for its exit gates; a refused
    /// update forgets them (nothing of a refused update stays).
    /// </summary>
    public async Task<UpdateTaskResult> UpdateAsync(UpdateTaskRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.Cascade)
        {
            return await UpdateWithAttachmentsAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var plan = await _cascade.PrepareAsync(request, cancellationToken).ConfigureAwait(false);
        var moved = await _cascade.ApplyAsync(request.WorkerId, request.TaskId, plan, request.Reason, cancellationToken).ConfigureAwait(false);
        var result = await UpdateWithAttachmentsAsync(request with { Cascade = false }, cancellationToken).ConfigureAwait(false);
        return result with { Cascaded = moved };
    }

    private async Task<UpdateTaskResult> UpdateWithAttachmentsAsync(UpdateTaskRequest request, CancellationToken cancellationToken)
    {
        if (request.InlineAttachments.Count == 0)
        {
            return await _transitions.UpdateAsync(request, cancellationToken).ConfigureAwait(false);
        }

        Limits.Id(request.TaskId, "task");
        var prepared = await _attachments.PrepareAsync(request.TaskId, request.InlineAttachments, request.WorkerId, "attachments", cancellationToken).ConfigureAwait(false);
        UpdateTaskResult result;
        try
        {
            result = await _transitions.UpdateAsync(request with { Attachments = prepared.Drafts, InlineAttachments = [] }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!StoreFaults.IsOutcomeUnknown(ex))
        {
            await _attachments.ForgetAsync(prepared.Drafts).ConfigureAwait(false);
            throw;
        }

        await _attachments.DeleteAsync(result.AttachmentsDropped).ConfigureAwait(false);
        return result with { AttachmentWarnings = prepared.Warnings };
    }

    /// <summary>Soft-deletes (or obliterates) a task, cascading to its <c>contains</c> descendants when asked.</summary>
    public Task<bool> DeleteAsync(
        string workerId, string taskId, bool cascade, string? reason, bool obliterate, bool force, CancellationToken cancellationToken = default) =>
        _removal.DeleteAsync(workerId, taskId, cascade, reason, obliterate, force, cancellationToken);

    /// <summary>Renames a task and rewrites every reference (edges, marks, the owner's claim).</summary>
    public Task RenameAsync(string workerId, string taskId, string newId, CancellationToken cancellationToken = default) =>
        _removal.RenameAsync(workerId, taskId, newId, cancellationToken);

    /// <summary>Ids of the start-blocking predecessors of a task; with <paramref name="unsatisfiedOnly"/>, only those still blocking.</summary>
    public async Task<IReadOnlyList<string>> BlockersAsync(string taskId, WorkflowDefinition workflow, bool unsatisfiedOnly, CancellationToken cancellationToken)
    {
        var deps = (await _context.Records.GetDependenciesAsync(cancellationToken).ConfigureAwait(false)).Value;
        if (unsatisfiedOnly)
        {
            return await _transitions.StillBlockingAsync(DependencyGraph.Of(deps.Edges, _context.Config.Dependencies).StartBlockers(taskId), workflow, cancellationToken).ConfigureAwait(false);
        }

        return [.. DependencyGraph.Of(deps.Edges, _context.Config.Dependencies).StartBlockers(taskId)];
    }
}
