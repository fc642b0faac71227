using TaskGraph.Core.Attachments;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Records;
using TaskGraph.Core.Workflows;

namespace TaskGraph.Core.Tasks;

/// <summary>
/// The unified transition as a pure decision: task, caller, lease, neighbour facts, workflow and request in; the next
/// record, its change kind and the reservation to make out. The guards run in the catalogue's order (owner, fence,
/// finished by another, state, exit; then dependencies and tags for whoever takes the task, children for a completion).
/// It reads nothing: when it needs facts about the neighbours it says so (<see cref="TransitionPlan.Needs"/>) and is
/// asked again with them, so every rule is tested without a store.
/// </summary>
public static class TransitionPlanner
{
    /// <summary>Decides the transition, or names the facts it needs first; throws the agent's error when a guard refuses.</summary>
    public static TransitionPlan Plan(TransitionInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (task, caller, workflow, request) = (input.Task, input.Caller.Id, input.Workflow, input.Request);
        if (task.IsDeleted)
        {
            throw new TaskGraphException(ErrorCodes.TaskNotFound, $"Task '{task.Id}' is deleted") { Field = "task" };
        }

        var status = input.IsClaim ? workflow.ClaimState : request.Status ?? (request.Assignee is not null ? workflow.Settings.AssignedState : task.Status);
        TransitionGuards.Owner(task, caller, input.OwnerAlive, input.IsClaim, request.Force, workflow, status);
        TransitionGuards.Fence(task, caller, input.IsClaim, request.Force, workflow);
        TransitionGuards.NotFinishedByAnother(task, caller, input.IsClaim, request.Status, workflow);
        if (input.IsClaim && task.Owner == caller && workflow.IsTimed(task.Status))
        {
            return new TransitionPlan { Next = task, IsNoOp = true };
        }

        TransitionGuards.StateExists(workflow, status);
        TransitionGuards.ExitLegal(workflow, task.Status, status);
        var phaseWarning = TransitionGuards.Phase(request.Phase, workflow);
        var now = input.NowMs;
        var next = Edited(task, request, now);
        var (attachments, added, dropped) = request.Attachments.Count == 0
            ? (next.Attachments, [], [])
            : AttachmentList.Add(next.Attachments, request.Attachments, now);
        next = next with { Attachments = attachments };
        var gateWarnings = GateCheck.Exit(workflow, task, next with { Status = status }, request.Force);
        var owner = task.Owner;
        var kind = status != task.Status ? ChangeKinds.Status : next.Phase != task.Phase ? ChangeKinds.Phase : ChangeKinds.Update;
        TransitionReservation? reservation = null;
        var starts = workflow.IsTimed(status) && !workflow.IsTimed(task.Status) && !request.Force;
        if (request.Assignee is not null)
        {
            // ASSIGN: the assignee must exist and qualify. Assigning into an untimed state needs no dependency check, but
            // assigning straight into a timed state starts the work: that is a claim (invariant 2).
            var assignee = TransitionGuards.Assignee(request.Assignee, input.Assignee, input.AssigneeAlive);
            if (starts && !Blockers(input, out var asking))
            {
                return asking;
            }

            TransitionGuards.Tags(next, assignee);
            reservation = new TransitionReservation(assignee.Id);
            owner = assignee.Id;
            kind = ChangeKinds.Assign;
        }
        else if (workflow.IsTimed(status) && owner != caller && (input.IsClaim || request.Status is not null))
        {
            // CLAIM
            if (!request.Force && !Blockers(input, out var asking))
            {
                return asking;
            }

            TransitionGuards.Tags(next, input.Caller);
            reservation = new TransitionReservation(caller, status, next.Phase);
            owner = caller;
            kind = ChangeKinds.Claim;
        }
        else if (starts)
        {
            // An assignee starting work still needs its predecessors done.
            if (!Blockers(input, out var asking))
            {
                return asking;
            }
        }
        else if (status != task.Status && !workflow.IsTimed(status))
        {
            // RELEASE or COMPLETE: the task leaves its owner; a completion needs the children done.
            if (workflow.IsTerminal(status) || status == workflow.Settings.CompletedState)
            {
                if (input.Facts.OpenChildren is not { } open)
                {
                    return TransitionPlan.Asking(TransitionNeeds.Children);
                }

                TransitionGuards.Children(open);
            }

            owner = null;
            kind = task.Owner is not null ? ChangeKinds.Release : ChangeKinds.Status;
        }

        next = StatusChange.Apply(next, status, workflow, now);
        if (status != task.Status)
        {
            next = next with { FinishedBy = ClaimFence.IsFinished(workflow, status) ? caller : null };
        }

        if (owner != task.Owner)
        {
            next = next with { Owner = owner, ClaimedAt = owner is null ? null : now, LeaseEpoch = task.LeaseEpoch + 1 };
            kind = owner is null ? ChangeKinds.Release : kind;
            var how = kind switch
            {
                ChangeKinds.Claim => input.OwnerAlive ? ChangeKinds.Force : ChangeKinds.Takeover,
                ChangeKinds.Assign => ChangeKinds.Assign,
                _ => input.OwnerAlive ? ChangeKinds.Release : ChangeKinds.Takeover,
            };
            next = ClaimFence.Apply(task, next, caller, how, now);
        }

        next = next with
        {
            Change = new TaskChange
            {
                Kind = kind,
                Actor = caller,
                Reason = request.Reason,
                FromStatus = task.Status,
                FromPhase = task.Phase,
                RequestId = input.RequestId,
            },
        };
        return new TransitionPlan
        {
            Prompts = Prompts(input, next),
            Next = next,
            Kind = kind,
            Reservation = reservation,
            PhaseWarning = phaseWarning,
            GateWarnings = gateWarnings,
            AttachmentsAdded = added,
            AttachmentsDropped = dropped,
        };
    }

    /// <summary>The prompts the request asks for: from the caller's last status and phase (caller), the task's (all), or none.</summary>
    private static IReadOnlyList<TransitionPrompt> Prompts(TransitionInput input, TaskRecord next)
    {
        var (task, caller, request) = (input.Task, input.Caller, input.Request);
        if (request.Prompts == "none")
        {
            return [];
        }

        var (fromStatus, fromPhase) = request.Prompts == "all"
            ? (task.Status, task.Phase)
            : input.PromptFrom ?? (caller.LastStatus, caller.LastPhase);
        var workflow = input.Workflow;
        var role = workflow.RoleFor(caller.Tags);
        var context = new PromptContext
        {
            TaskId = next.Id,
            TaskTitle = next.Title,
            TaskPriority = next.Priority,
            TaskTags = next.Tags,
            AgentId = caller.Id,
            AgentRole = role?.Name,
            AgentTags = caller.Tags,
        };
        var prompts = TransitionPrompts.For(workflow, fromStatus, fromPhase, next.Status, next.Phase, context);

        // The role's own guidance at the two moments it is written for: taking a task, and finishing it.
        var claimed = next.Owner == caller.Id && task.Owner != caller.Id && workflow.IsTimed(next.Status);
        var completed = next.Status != task.Status && next.Status == workflow.Settings.CompletedState;
        return [.. prompts, .. TransitionPrompts.OfRole(workflow, role, TransitionPrompts.RoleKeys(claimed, completed), next.Status, next.Phase, context)];
    }

    /// <summary>The field edits of the request applied to the task (status and owner come after the guards).</summary>
    private static TaskRecord Edited(TaskRecord task, UpdateTaskRequest request, long nowMs) => task with
    {
        Title = request.Title ?? task.Title,
        Description = request.Description ?? task.Description,
        Priority = request.Priority is { } p ? Math.Clamp(p, 0, 10) : task.Priority,
        Points = request.Points ?? task.Points,
        TimeEstimateMs = request.TimeEstimateMs ?? task.TimeEstimateMs,
        Tags = request.Tags ?? task.Tags,
        NeededTags = request.NeededTags ?? task.NeededTags,
        WantedTags = request.WantedTags ?? task.WantedTags,
        Phase = request.Phase ?? task.Phase,
        UpdatedAt = nowMs,
    };

    /// <summary>Applies the dependency guard when the blockers were read; otherwise false with the plan that asks for them.</summary>
    private static bool Blockers(TransitionInput input, out TransitionPlan asking)
    {
        asking = TransitionPlan.Asking(TransitionNeeds.Blockers);
        if (input.Facts.UnsatisfiedBlockers is not { } unsatisfied)
        {
            return false;
        }

        TransitionGuards.Dependencies(unsatisfied);
        return true;
    }
}
