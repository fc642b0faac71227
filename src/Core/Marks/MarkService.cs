using TaskGraph.Core.Errors;
using TaskGraph.Core.Graph;
using TaskGraph.Core.Leases;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Workers;

namespace TaskGraph.Core.Marks;

/// <summary>
/// Advisory file marks and exclusive <c>lock:</c> marks. A lock is a record created if absent (or taken over by CAS from a
/// dead holder), so at most one live holder exists; advisory marks warn and stay with their holder.
/// </summary>
public sealed class MarkService(GraphContext context, WorkerService workers, string baseDirectory)
{
    private readonly WorkReleaser _releaser = new(context);

    /// <summary>Marks files for <paramref name="agent"/>. Locks are checked first; a held lock fails the whole call.</summary>
    public async Task<MarkFileResult> MarkAsync(string agent, IReadOnlyList<string> files, string? taskId, string? reason, CancellationToken cancellationToken = default)
    {
        Limits.List(files, "file");
        if (files.Count == 0)
        {
            throw TaskGraphException.Missing("file");
        }

        Limits.Text(reason, "reason");
        var paths = Paths(files, "file");
        await workers.HeartbeatAsync(agent, always: false, "agent", cancellationToken).ConfigureAwait(false);
        if (taskId is not null && await context.Records.GetTaskAsync(Limits.Id(taskId, "task"), cancellationToken).ConfigureAwait(false) is null)
        {
            throw TaskGraphException.TaskNotFound(taskId);
        }

        var distinct = paths.Distinct(StringComparer.Ordinal).ToList();
        var locks = distinct.Where(MarkPaths.IsLock).ToList();

        // Fail fast on a lock held now, before taking any: a refused call must not briefly hold (and release) the others.
        foreach (var file in locks)
        {
            await ThrowIfHeldByAnotherAsync(file, agent, cancellationToken).ConfigureAwait(false);
        }

        var acquired = new List<(string File, ulong Revision)>();
        try
        {
            foreach (var file in locks)
            {
                var revision = await context.RetryAsync(async _ =>
                {
                    var now = context.NowMs;
                    var existing = await ThrowIfHeldByAnotherAsync(file, agent, cancellationToken).ConfigureAwait(false);
                    var mark = new MarkRecord { File = file, Agent = agent, TaskId = taskId, Reason = reason, MarkedAt = existing?.Value.Agent == agent ? existing.Value.Value.MarkedAt : now, IsLock = true };
                    return await context.Records.PutMarkAsync(mark, existing?.Revision ?? 0, cancellationToken).ConfigureAwait(false);
                }, cancellationToken).ConfigureAwait(false);
                acquired.Add((file, revision));
            }
        }
        catch
        {
            // All or nothing for locks: give back what this call took before it failed.
            foreach (var (file, revision) in acquired)
            {
                try
                {
                    await context.Records.DeleteAsync(RecordKeys.Mark(file), revision, CancellationToken.None).ConfigureAwait(false);
                }
                catch (ConcurrencyConflictException)
                {
                    // Already changed by someone else.
                }
            }

            throw;
        }

        var warnings = new List<MarkWarning>();
        var marked = new List<string>(locks);
        foreach (var file in distinct.Where(f => !MarkPaths.IsLock(f)))
        {
            var warning = await context.RetryAsync(async _ =>
            {
                var now = context.NowMs;
                var existing = await context.Records.GetMarkAsync(file, cancellationToken).ConfigureAwait(false);
                if (existing is { } held && await Lease.HeldByAnotherAsync(context.Records, held.Value.Agent, agent, now, cancellationToken).ConfigureAwait(false))
                {
                    return new MarkWarning(file, held.Value.Agent, held.Value.Reason, held.Value.TaskId);
                }

                var mark = new MarkRecord { File = file, Agent = agent, TaskId = taskId, Reason = reason, MarkedAt = existing?.Value.Agent == agent ? existing.Value.Value.MarkedAt : now };
                var revision = await context.Records.PutMarkAsync(mark, existing?.Revision ?? 0, cancellationToken).ConfigureAwait(false);
                acquired.Add((file, revision));
                return null;
            }, cancellationToken).ConfigureAwait(false);
            if (warning is null)
            {
                marked.Add(file);
            }
            else
            {
                warnings.Add(warning);
            }
        }

        foreach (var (file, revision) in acquired)
        {
            await context.SeenAsync(RecordKeys.Mark(file), revision, cancellationToken).ConfigureAwait(false);
        }

        return new MarkFileResult(marked, locks, warnings);
    }

    /// <summary>
    /// Removes marks: all of a task's marks (any holder) when <paramref name="taskId"/> is given; the caller's own marks
    /// when <paramref name="files"/> is <c>*</c>; otherwise the caller's marks on the listed files.
    /// </summary>
    public async Task<IReadOnlyList<UnmarkedFile>> UnmarkAsync(string agent, IReadOnlyList<string>? files, string? taskId, string? reason, CancellationToken cancellationToken = default)
    {
        if ((files is null || files.Count == 0) && taskId is null)
        {
            throw new TaskGraphException(ErrorCodes.MissingRequiredField, "file or task is required") { Field = "file" };
        }

        Limits.Text(reason, "reason");
        await workers.RequireLiveAsync(agent, "agent", cancellationToken).ConfigureAwait(false);
        var all = files is ["*"];
        var wanted = files is null || all ? null : files.Select(f => MarkPaths.Normalise(f, baseDirectory)).ToHashSet(StringComparer.Ordinal);
        var removed = await _releaser.RemoveMarksAsync(
            mark => taskId is not null
                ? mark.TaskId == taskId && (wanted is null || wanted.Contains(mark.File))
                : mark.Agent == agent && (all || wanted!.Contains(mark.File)),
            cancellationToken).ConfigureAwait(false);
        return [.. removed.Select(m => new UnmarkedFile(m.File, m.Agent))];
    }

    /// <summary>
    /// Checks <paramref name="files"/> (as <paramref name="field"/>) before a call that will mark them: throws the field
    /// error of a bad path, or LOCK_CONFLICT for a <c>lock:</c> another live worker holds. Marks nothing.
    /// </summary>
    public async Task CheckAsync(string agent, IReadOnlyList<string> files, string field, CancellationToken cancellationToken = default)
    {
        Limits.List(files, field);
        foreach (var file in Paths(files, field).Where(MarkPaths.IsLock).Distinct(StringComparer.Ordinal))
        {
            await ThrowIfHeldByAnotherAsync(file, agent, cancellationToken).ConfigureAwait(false);
        }
    }

    private List<string> Paths(IReadOnlyList<string> files, string field)
    {
        var paths = new List<string>();
        foreach (var file in files)
        {
            if (string.IsNullOrWhiteSpace(file) || file.Length > Limits.PathLength || file.Contains('\0'))
            {
                throw TaskGraphException.Invalid(field, $"{field} must be 1..{Limits.PathLength} characters without NUL");
            }

            paths.Add(MarkPaths.Normalise(file, baseDirectory, field));
        }

        return paths;
    }

    /// <summary>Reads a lock; throws LOCK_CONFLICT when another live worker holds it.</summary>
    private async Task<Versioned<MarkRecord>?> ThrowIfHeldByAnotherAsync(string file, string agent, CancellationToken cancellationToken)
    {
        var existing = await context.Records.GetMarkAsync(file, cancellationToken).ConfigureAwait(false);
        if (existing is { } held && await Lease.HeldByAnotherAsync(context.Records, held.Value.Agent, agent, context.NowMs, cancellationToken).ConfigureAwait(false))
        {
            throw new TaskGraphException(ErrorCodes.LockConflict, $"Lock '{file}' is exclusively held by agent '{held.Value.Agent}'")
            {
                Field = "file",
                Details = new Dictionary<string, object?> { ["file"] = file, ["held_by"] = held.Value.Agent, ["task"] = held.Value.TaskId },
                Suggestion = "Wait for mark_updates to show its release, or work on something else.",
            };
        }

        return existing;
    }
}
