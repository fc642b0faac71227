using TaskGraph.Core.Errors;
using TaskGraph.Core.Records;
using TaskGraph.Core.Tasks;
using TaskGraph.Core.Workflows;

namespace TaskGraph.Tests.Rules.Tasks;

/// <summary>
/// The transition planner with no store: every guard in its order, the facts it asks for and only when it needs them,
/// and the record, change kind and reservation it decides, on the default workflow and on one whose state roles (claim,
/// assigned, completed) are named differently, so no rule depends on the literal names.
/// </summary>
[Trait("Lane", "fast")]
public sealed class TransitionPlannerTests
{
    private const long Now = 1_000_000;

    private static readonly WorkflowDefinition Default = new();

    /// <summary>A workflow whose roles have other names: claim state "doing", assigned "queued", completed "done".</summary>
    private static readonly WorkflowDefinition Renamed = new()
    {
        Name = "renamed",
        Settings = new WorkflowSettings { InitialState = "todo", DisconnectState = "todo", AssignedState = "queued", CompletedState = "done", BlockingStates = ["todo", "queued", "doing"] },
        States = new Dictionary<string, StateDefinition>
        {
            ["todo"] = new() { Exits = ["queued", "doing"] },
            ["queued"] = new() { Exits = ["doing", "todo"] },
            ["doing"] = new() { Exits = ["done", "todo"], Timed = true },
            ["done"] = new() { Exits = ["todo"] },
        },
    };

    private static readonly WorkerRecord Ada = new() { Id = "ada", Tags = ["backend"] };
    private static readonly WorkerRecord Bob = new() { Id = "bob", Tags = ["frontend"] };

    [Fact]
    public void A_claim_asks_for_the_blockers_and_with_none_left_takes_the_task_into_the_claim_state_with_a_reservation()
    {
        var task = Task("pending");
        var first = TransitionPlanner.Plan(Input(task, isClaim: true));
        Assert.Equal(TransitionNeeds.Blockers, first.Needs);
        Assert.Null(first.Next);

        var plan = TransitionPlanner.Plan(Input(task, isClaim: true, facts: new TransitionFacts { UnsatisfiedBlockers = [] }));
        Assert.Equal(TransitionNeeds.None, plan.Needs);
        Assert.Equal(ChangeKinds.Claim, plan.Kind);
        var next = plan.Next!;
        Assert.Equal(("working", "ada", Now, Now, 1L), (next.Status, next.Owner, next.ClaimedAt, next.StartedAt, next.LeaseEpoch));
        Assert.Equal(new TransitionReservation("ada", "working", null), plan.Reservation);
        Assert.Equal(("pending", "ada", ChangeKinds.Claim, "req-1"), (next.Change!.FromStatus, next.Change.Actor, next.Change.Kind, next.Change.RequestId));
    }

    [Fact]
    public void Unsatisfied_blockers_refuse_a_claim_naming_them_and_force_skips_the_check_without_asking()
    {
        var task = Task("pending");
        var error = Refusal(() => TransitionPlanner.Plan(Input(task, isClaim: true, facts: new TransitionFacts { UnsatisfiedBlockers = ["a", "b"] })));
        Assert.Equal(ErrorCodes.DependencyNotSatisfied, error.Code);
        Assert.Equal(["a", "b"], error.BlockedBy);
        Assert.Contains("a, b", error.Message, StringComparison.Ordinal);

        var forced = TransitionPlanner.Plan(Input(task, isClaim: true, force: true));
        Assert.Equal(TransitionNeeds.None, forced.Needs);
        Assert.Equal("ada", forced.Next!.Owner);
    }

    [Fact]
    public void A_live_owner_refuses_a_claim_as_already_claimed_and_an_edit_as_not_owner_before_anything_is_read()
    {
        var held = Task("working", owner: "bob");
        Assert.Equal(ErrorCodes.AlreadyClaimed, Refusal(() => TransitionPlanner.Plan(Input(held, isClaim: true, ownerAlive: true))).Code);
        Assert.Equal(ErrorCodes.NotOwner, Refusal(() => TransitionPlanner.Plan(Input(held, Edit(title: "x"), ownerAlive: true))).Code);
    }

    [Fact]
    public void Taking_over_a_dead_owners_task_fences_the_former_owner_and_forcing_a_live_one_records_force()
    {
        var held = Task("working", owner: "bob") with { LeaseEpoch = 4 };
        var takeover = TransitionPlanner.Plan(Input(held, isClaim: true, ownerAlive: false, facts: NoBlockers)).Next!;
        Assert.Equal(("ada", 5L), (takeover.Owner, takeover.LeaseEpoch));
        var fence = Assert.Single(takeover.Fenced!);
        Assert.Equal(("bob", 4L, ChangeKinds.Takeover), (fence.WorkerId, fence.Epoch, fence.How));

        var forced = TransitionPlanner.Plan(Input(held, isClaim: true, ownerAlive: true, force: true)).Next!;
        Assert.Equal(ChangeKinds.Force, Assert.Single(forced.Fenced!).How);
    }

    [Fact]
    public void Reclaiming_a_task_the_caller_already_works_on_is_a_no_op()
    {
        var mine = Task("working", owner: "ada");
        var plan = TransitionPlanner.Plan(Input(mine, isClaim: true, ownerAlive: true));
        Assert.True(plan.IsNoOp);
        Assert.Same(mine, plan.Next);
        Assert.Null(plan.Reservation);
    }

    [Fact]
    public void A_live_owner_comes_first_then_the_fence_refuses_a_late_write_but_not_a_fresh_claim_and_a_finished_task_cannot_be_finished_again()
    {
        var takenOver = Task("working", owner: "bob") with { Fenced = [new FencedClaim("ada", 1, ChangeKinds.Takeover, 0)] };
        Assert.Equal(ErrorCodes.NotOwner, Refusal(() => TransitionPlanner.Plan(Input(takenOver, Edit(status: "completed"), ownerAlive: true))).Code);
        Assert.Equal(ErrorCodes.LeaseExpired, Refusal(() => TransitionPlanner.Plan(Input(takenOver, Edit(status: "completed"), ownerAlive: false))).Code);
        var released = Task("pending") with { Fenced = takenOver.Fenced };
        Assert.Equal(ErrorCodes.LeaseExpired, Refusal(() => TransitionPlanner.Plan(Input(released, Edit(title: "late")))).Code);
        Assert.Equal("ada", TransitionPlanner.Plan(Input(released, isClaim: true, facts: NoBlockers)).Next!.Owner);

        var finished = Task("completed", finishedBy: "bob");
        Assert.Equal(ErrorCodes.NotOwner, Refusal(() => TransitionPlanner.Plan(Input(finished, Edit(status: "completed")))).Code);
    }

    [Fact]
    public void Needed_tags_must_all_be_held_and_wanted_tags_at_least_one_even_with_force()
    {
        var needs = Task("pending") with { NeededTags = ["backend", "db"] };
        var error = Refusal(() => TransitionPlanner.Plan(Input(needs, isClaim: true, force: true)));
        Assert.Equal((ErrorCodes.TagMismatch, "needed_tags"), (error.Code, error.Field));

        var wants = Task("pending") with { WantedTags = ["frontend", "mobile"] };
        Assert.Equal("wanted_tags", Refusal(() => TransitionPlanner.Plan(Input(wants, isClaim: true, facts: NoBlockers))).Field);
        Assert.Equal("ada", TransitionPlanner.Plan(Input(wants with { WantedTags = ["backend", "mobile"] }, isClaim: true, facts: NoBlockers)).Next!.Owner);
    }

    [Fact]
    public void Assigning_needs_a_live_assignee_goes_to_the_assigned_state_without_a_dependency_check_and_reserves_for_the_assignee()
    {
        var task = Task("pending");
        var unknown = Refusal(() => TransitionPlanner.Plan(Input(task, Edit(assignee: "bob"))));
        Assert.Equal((ErrorCodes.AgentNotFound, "assignee"), (unknown.Code, unknown.Field));
        var lapsed = Refusal(() => TransitionPlanner.Plan(Input(task, Edit(assignee: "bob"), assignee: Bob, assigneeAlive: false)));
        Assert.Equal((ErrorCodes.LeaseExpired, "assignee"), (lapsed.Code, lapsed.Field));

        var plan = TransitionPlanner.Plan(Input(task, Edit(assignee: "bob"), assignee: Bob, assigneeAlive: true));
        Assert.Equal(TransitionNeeds.None, plan.Needs);
        Assert.Equal(("assigned", "bob", ChangeKinds.Assign), (plan.Next!.Status, plan.Next.Owner, plan.Kind));
        Assert.Equal(new TransitionReservation("bob"), plan.Reservation);
        Assert.Equal(ChangeKinds.Assign, plan.Next.Change!.Kind);
    }

    [Fact]
    public void Assigning_straight_into_a_timed_state_starts_the_work_and_so_asks_for_the_blockers()
    {
        var plan = TransitionPlanner.Plan(Input(Task("pending"), Edit(status: "working", assignee: "bob"), assignee: Bob, assigneeAlive: true));
        Assert.Equal(TransitionNeeds.Blockers, plan.Needs);
    }

    [Fact]
    public void An_assignee_starting_its_assigned_task_still_needs_its_predecessors_done()
    {
        var assigned = Task("assigned", owner: "ada");
        Assert.Equal(TransitionNeeds.Blockers, TransitionPlanner.Plan(Input(assigned, Edit(status: "working"), ownerAlive: true)).Needs);
        Assert.Equal(ErrorCodes.DependencyNotSatisfied, Refusal(() => TransitionPlanner.Plan(
            Input(assigned, Edit(status: "working"), ownerAlive: true, facts: new TransitionFacts { UnsatisfiedBlockers = ["x"] }))).Code);
        var started = TransitionPlanner.Plan(Input(assigned, Edit(status: "working"), ownerAlive: true, facts: NoBlockers));
        Assert.Equal(("working", "ada", ChangeKinds.Status), (started.Next!.Status, started.Next.Owner, started.Kind));
        Assert.Null(started.Reservation);
    }

    [Fact]
    public void Completing_asks_for_the_children_refuses_while_one_is_open_and_then_releases_the_owner_and_stamps_the_finisher()
    {
        var working = Task("working", owner: "ada") with { StatusSince = Now - 500, TimeActualMs = 100 };
        Assert.Equal(TransitionNeeds.Children, TransitionPlanner.Plan(Input(working, Edit(status: "completed"), ownerAlive: true)).Needs);

        var open = Refusal(() => TransitionPlanner.Plan(Input(working, Edit(status: "completed"), ownerAlive: true, facts: new TransitionFacts { OpenChildren = ["kid"] })));
        Assert.Equal((ErrorCodes.InvalidState, "status"), (open.Code, open.Field));
        Assert.Equal(["kid"], open.BlockedBy);

        var done = TransitionPlanner.Plan(Input(working, Edit(status: "completed"), ownerAlive: true, facts: new TransitionFacts { OpenChildren = [] })).Next!;
        Assert.Equal(("completed", null, "ada", Now, 600L), (done.Status, done.Owner, done.FinishedBy, done.CompletedAt, done.TimeActualMs));
        Assert.Equal(ChangeKinds.Release, done.Change!.Kind);
    }

    [Fact]
    public void Releasing_to_an_untimed_state_clears_the_owner_without_reading_children()
    {
        var plan = TransitionPlanner.Plan(Input(Task("working", owner: "ada"), Edit(status: "pending"), ownerAlive: true));
        Assert.Equal(TransitionNeeds.None, plan.Needs);
        Assert.Equal((null, ChangeKinds.Release, 1L), (plan.Next!.Owner, plan.Kind, plan.Next.LeaseEpoch));
        Assert.Null(plan.Next.FinishedBy);
    }

    [Fact]
    public void An_unknown_state_and_an_illegal_exit_are_refused_after_the_owner_guard()
    {
        Assert.Equal("status", Refusal(() => TransitionPlanner.Plan(Input(Task("pending"), Edit(status: "nope")))).Field);
        var illegal = Refusal(() => TransitionPlanner.Plan(Input(Task("pending"), Edit(status: "completed"))));
        Assert.Equal(ErrorCodes.InvalidState, illegal.Code);
        Assert.Contains("Allowed transitions: [assigned, working, cancelled]", illegal.Message, StringComparison.Ordinal);

        // The owner guard comes first: someone else's live task is NOT_OWNER even for an illegal move.
        Assert.Equal(ErrorCodes.NotOwner, Refusal(() => TransitionPlanner.Plan(Input(Task("pending", owner: "bob"), Edit(status: "completed"), ownerAlive: true))).Code);
    }

    [Fact]
    public void A_deleted_task_is_not_found()
    {
        Assert.Equal(ErrorCodes.TaskNotFound, Refusal(() => TransitionPlanner.Plan(Input(Task("pending") with { DeletedAt = 1 }, Edit(title: "x")))).Code);
    }

    [Fact]
    public void Field_edits_are_an_update_a_phase_change_is_a_phase_change_and_the_unknown_phase_policy_applies()
    {
        var edit = TransitionPlanner.Plan(Input(Task("pending"), Edit(title: "new", priority: 42)));
        Assert.Equal((ChangeKinds.Update, "new", 10, Now), (edit.Kind, edit.Next!.Title, edit.Next.Priority, edit.Next.UpdatedAt));

        var phase = TransitionPlanner.Plan(Input(Task("pending"), Edit(phase: "review")));
        Assert.Equal((ChangeKinds.Phase, null), (phase.Kind, phase.PhaseWarning));

        var unknown = TransitionPlanner.Plan(Input(Task("pending"), Edit(phase: "dreaming")));
        Assert.Contains("Unknown phase 'dreaming'", unknown.PhaseWarning, StringComparison.Ordinal);

        var strict = Default with { Settings = Default.Settings with { UnknownPhase = "reject" } };
        Assert.Equal("phase", Refusal(() => TransitionPlanner.Plan(Input(Task("pending"), Edit(phase: "dreaming"), workflow: strict))).Field);
        var lax = Default with { Settings = Default.Settings with { UnknownPhase = "allow" } };
        Assert.Null(TransitionPlanner.Plan(Input(Task("pending"), Edit(phase: "dreaming"), workflow: lax)).PhaseWarning);
    }

    [Fact]
    public void The_state_roles_come_from_the_workflow_not_from_literal_names()
    {
        var claim = TransitionPlanner.Plan(Input(Task("todo"), isClaim: true, workflow: Renamed, facts: NoBlockers));
        Assert.Equal(("doing", "ada"), (claim.Next!.Status, claim.Next.Owner));

        var assign = TransitionPlanner.Plan(Input(Task("todo"), Edit(assignee: "bob"), workflow: Renamed, assignee: Bob, assigneeAlive: true));
        Assert.Equal("queued", assign.Next!.Status);

        // "done" is the completed state although it has an exit (reopen): the children are checked and completed_at set.
        var doing = Task("doing", owner: "ada");
        Assert.Equal(TransitionNeeds.Children, TransitionPlanner.Plan(Input(doing, Edit(status: "done"), workflow: Renamed, ownerAlive: true)).Needs);
        var done = TransitionPlanner.Plan(Input(doing, Edit(status: "done"), workflow: Renamed, ownerAlive: true, facts: new TransitionFacts { OpenChildren = [] })).Next!;
        Assert.Equal((Now, "ada"), (done.CompletedAt, done.FinishedBy));
    }

    private static readonly TransitionFacts NoBlockers = new() { UnsatisfiedBlockers = [] };

    private static TaskRecord Task(string status, string? owner = null, string? finishedBy = null) =>
        new() { Id = "t", Title = "T", Status = status, Owner = owner, FinishedBy = finishedBy, CreatedAt = 1, UpdatedAt = 1, StatusSince = 1 };

    private static UpdateTaskRequest Edit(string? status = null, string? assignee = null, string? title = null, int? priority = null, string? phase = null) =>
        new() { WorkerId = "ada", TaskId = "t", Status = status, Assignee = assignee, Title = title, Priority = priority, Phase = phase };

    private static TransitionInput Input(
        TaskRecord task, UpdateTaskRequest? request = null, bool isClaim = false, bool force = false, bool ownerAlive = false,
        WorkflowDefinition? workflow = null, WorkerRecord? assignee = null, bool assigneeAlive = false, TransitionFacts? facts = null) => new()
        {
            Task = task,
            Caller = Ada,
            OwnerAlive = ownerAlive,
            Workflow = workflow ?? Default,
            Request = (request ?? Edit()) with { Force = force },
            IsClaim = isClaim,
            Assignee = assignee,
            AssigneeAlive = assigneeAlive,
            Facts = facts ?? TransitionFacts.None,
            NowMs = Now,
            RequestId = "req-1",
        };

    private static TaskGraphException Refusal(Action plan) => Assert.Throws<TaskGraphException>(plan);
}
