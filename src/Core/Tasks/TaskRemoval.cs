using TaskGraph.Core.Attachments;
using TaskGraph.Core.Claims;
using TaskGraph.Core.Dependencies;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Graph;
using TaskGraph.Core.Leases;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Workers;

namespace TaskGraph.Core.Tasks;

/// <summary>
/// Removing and renaming tasks: soft delete (or obliterate), cascading to <c>contains</c> descendants when asked and
/// respecting live claims unless forced; rename, which copies the task under its new id, fences the old one and rewrites
/// every reference (edges, marks, the owner's reservation).
/// </summary>
public sealed class TaskRemoval(GraphContext context, WorkerService workers, DependencyService dependencies, ClaimLedger ledger, WorkReleaser releaser, AttachmentContents attachments)
{
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
        if (!force && await Lease.HeldByAnotherAsync(context.Records, task.Value.Owner, caller.Value.Id, now, cancellationToken).ConfigureAwait(false))
        {
            throw new TaskGraphException(ErrorCodes.NotOwner, $"Task is claimed by worker '{task.Value.Owner}'. Use force=true to override.") { Field = "task" };
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
                if (child is { Value.Owner: { } childOwner } && await Lease.HeldByAnotherAsync(context.Records, childOwner, caller.Value.Id, now, cancellationToken).ConfigureAwait(false))
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
                        await ledger.UnreserveAsync(o, id, cancellationToken).ConfigureAwait(false);
                    }

                    // An obliterated task takes its attachments' content along (best effort: leftovers are unreachable).
                    await attachments.DeleteAsync(t.Value.Value.Attachments ?? []).ConfigureAwait(false);
                    return revision;
                }, cancellationToken).ConfigureAwait(false);
            }

            await dependencies.RemoveTasksAsync(targets, caller.Value.Id, cancellationToken).ConfigureAwait(false);
            await releaser.RemoveMarksAsync(m => m.TaskId is not null && targets.Contains(m.TaskId), cancellationToken).ConfigureAwait(false);
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
                    await ledger.UnreserveAsync(o, id, cancellationToken).ConfigureAwait(false);
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
}
