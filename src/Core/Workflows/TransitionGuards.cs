using TaskGraph.Core.Errors;
using TaskGraph.Core.Records;

namespace TaskGraph.Core.Workflows;

/// <summary>
/// The pure guards of a task transition, in the order the rules apply them: owner, fence, already finished, state
/// exists, exit legal. Each takes what was read (the task, the caller, whether the owner is alive) and the request, and
/// throws the error the agent gets, or returns; none reads or writes the store, so each is tested without one.
/// </summary>
public static class TransitionGuards
{
    /// <summary>1. Someone else's live claim: only force passes. A claim or a move into a timed state is ALREADY_CLAIMED, any other write NOT_OWNER.</summary>
    public static void Owner(TaskRecord task, string callerId, bool ownerAlive, bool isClaim, bool force, WorkflowDefinition workflow, string status)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(workflow);
        if (!ownerAlive || task.Owner == callerId || force)
        {
            return;
        }

        throw isClaim || (workflow.IsTimed(status) && status != task.Status)
            ? new TaskGraphException(ErrorCodes.AlreadyClaimed, $"Task is already claimed by agent '{task.Owner}'")
            {
                Field = "task",
                Details = new Dictionary<string, object?> { ["owner"] = task.Owner },
                Suggestion = "Pick another task from list_tasks(ready=true), or use force=true to take it over.",
            }
            : new TaskGraphException(ErrorCodes.NotOwner, $"Task is claimed by agent '{task.Owner}'. Only the owner can update claimed tasks (use force=true to override)")
            {
                Field = "task",
                Details = new Dictionary<string, object?> { ["owner"] = task.Owner },
            };
    }

    /// <summary>
    /// 1b. The fence: a worker that lost its claim on this task writes nothing to it (a late completion, edit, release or
    /// timed status); only a fresh claim of an unfinished task is legitimate, and force overrides.
    /// </summary>
    public static void Fence(TaskRecord task, string callerId, bool isClaim, bool force, WorkflowDefinition workflow)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (ClaimFence.For(task, callerId) is { } fence && !force && !(isClaim && !ClaimFence.IsFinished(workflow, task.Status)))
        {
            throw ClaimFence.Refused(task, fence, "worker_id");
        }
    }

    /// <summary>1c. Finishing a task someone else finished is refused, not a silent same-status no-op.</summary>
    public static void NotFinishedByAnother(TaskRecord task, string callerId, bool isClaim, string? askedStatus, WorkflowDefinition workflow)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (!isClaim && askedStatus is { } asked && asked == task.Status && ClaimFence.IsFinished(workflow, task.Status) && task.FinishedBy != callerId)
        {
            throw ClaimFence.AlreadyFinished(task, callerId);
        }
    }

    /// <summary>2. The target state exists in the caller's workflow.</summary>
    public static void StateExists(WorkflowDefinition workflow, string status)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        if (!workflow.HasState(status))
        {
            throw new TaskGraphException(ErrorCodes.InvalidState, $"Invalid state '{status}'. Valid states: [{string.Join(", ", workflow.StateNames)}]") { Field = "status" };
        }
    }

    /// <summary>3. The move is one of the current state's exits (staying put is always legal).</summary>
    public static void ExitLegal(WorkflowDefinition workflow, string from, string to)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        if (to == from || workflow.CanMove(from, to))
        {
            return;
        }

        var exits = workflow.States.TryGetValue(from, out var def) ? def.Exits : [];
        throw new TaskGraphException(ErrorCodes.InvalidState, $"Invalid transition from '{from}' to '{to}'. Allowed transitions: [{string.Join(", ", exits)}]")
        {
            Field = "status",
            Details = new Dictionary<string, object?> { ["from"] = from, ["to"] = to, ["allowed"] = exits.ToArray() },
        };
    }

    /// <summary>4. A start needs its start-blocking predecessors done: <paramref name="unsatisfied"/> are those still blocking.</summary>
    public static void Dependencies(IReadOnlyList<string> unsatisfied)
    {
        ArgumentNullException.ThrowIfNull(unsatisfied);
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

    /// <summary>5. Completing a container needs its children done: <paramref name="open"/> are those still in a blocking state.</summary>
    public static void Children(IReadOnlyList<string> open)
    {
        ArgumentNullException.ThrowIfNull(open);
        if (open.Count > 0)
        {
            throw new TaskGraphException(ErrorCodes.InvalidState, $"Cannot complete task: {open.Count} child task(s) are not complete")
            {
                Field = "status",
                BlockedBy = open,
            };
        }
    }

    /// <summary>6. The worker taking the task has ALL its needed tags and ANY of its wanted tags (force does not bypass this).</summary>
    public static void Tags(TaskRecord task, WorkerRecord worker)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(worker);
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

    /// <summary>7. The assignee exists and its lease is alive.</summary>
    public static WorkerRecord Assignee(string assigneeId, WorkerRecord? assignee, bool alive)
    {
        if (assignee is null)
        {
            throw TaskGraphException.UnregisteredWorker(assigneeId, "assignee");
        }

        return alive ? assignee : throw TaskGraphException.LeaseExpired(assigneeId, "assignee");
    }

    /// <summary>
    /// The phase policy: a known phase (or none) passes; an unknown one is refused (<c>reject</c>), passes silently
    /// (<c>allow</c>), or passes with the returned warning (<c>warn</c>, the default).
    /// </summary>
    public static string? Phase(string? phase, WorkflowDefinition workflow)
    {
        ArgumentNullException.ThrowIfNull(workflow);
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
}
