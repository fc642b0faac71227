using TaskGraph.Core.Errors;
using TaskGraph.Core.Records;
using TaskGraph.Core.Workflows;

namespace TaskGraph.Tests.Rules.Workflows;

/// <summary>
/// The transition guards with no store: each lets the legitimate cases through and refuses the others with the code and
/// field an agent gets (owner, fence, finished by another, state exists, exit legal), on the default workflow.
/// </summary>
[Trait("Lane", "fast")]
public sealed class TransitionGuardsTests
{
    private static readonly WorkflowDefinition Default = new();

    private static TaskRecord Task(string status, string? owner = null, string? finishedBy = null, params FencedClaim[] fenced) =>
        new() { Id = "t", Status = status, Owner = owner, FinishedBy = finishedBy, Fenced = fenced.Length == 0 ? null : fenced };

    [Fact]
    public void Owner_refuses_a_live_other_owner_as_already_claimed_for_claims_and_timed_moves_and_not_owner_for_edits()
    {
        var held = Task("working", owner: "bob");
        Assert.Equal(ErrorCodes.AlreadyClaimed, Code(() => TransitionGuards.Owner(held, "ada", ownerAlive: true, isClaim: true, force: false, Default, "working")));
        Assert.Equal(ErrorCodes.NotOwner, Code(() => TransitionGuards.Owner(held, "ada", ownerAlive: true, isClaim: false, force: false, Default, "working")));
        Assert.Equal(ErrorCodes.AlreadyClaimed, Code(() => TransitionGuards.Owner(Task("assigned", owner: "bob"), "ada", true, false, false, Default, "working")));

        // Passes: force, a dead owner, yourself, no owner.
        TransitionGuards.Owner(held, "ada", ownerAlive: true, isClaim: true, force: true, Default, "working");
        TransitionGuards.Owner(held, "ada", ownerAlive: false, isClaim: true, force: false, Default, "working");
        TransitionGuards.Owner(held, "bob", ownerAlive: true, isClaim: false, force: false, Default, "completed");
        TransitionGuards.Owner(Task("pending"), "ada", ownerAlive: false, isClaim: true, force: false, Default, "working");
    }

    [Fact]
    public void Fence_refuses_a_fenced_workers_writes_but_not_its_fresh_claim_of_an_unfinished_task_or_force()
    {
        var fence = new FencedClaim("ada", 1, "takeover", 0);
        var takenOver = Task("working", owner: "bob", fenced: fence);
        Assert.Equal(ErrorCodes.LeaseExpired, Code(() => TransitionGuards.Fence(takenOver, "ada", isClaim: false, force: false, Default)));
        Assert.Equal(ErrorCodes.LeaseExpired, Code(() => TransitionGuards.Fence(Task("completed", fenced: fence), "ada", isClaim: true, force: false, Default)));

        TransitionGuards.Fence(Task("pending", fenced: fence), "ada", isClaim: true, force: false, Default);
        TransitionGuards.Fence(takenOver, "ada", isClaim: false, force: true, Default);
        TransitionGuards.Fence(takenOver, "carol", isClaim: false, force: false, Default);
    }

    [Fact]
    public void Finishing_what_another_finished_is_refused_and_a_repeat_by_the_finisher_is_not()
    {
        var done = Task("completed", finishedBy: "bob");
        Assert.Equal(ErrorCodes.NotOwner, Code(() => TransitionGuards.NotFinishedByAnother(done, "ada", isClaim: false, askedStatus: "completed", Default)));
        TransitionGuards.NotFinishedByAnother(done, "bob", isClaim: false, askedStatus: "completed", Default);
        TransitionGuards.NotFinishedByAnother(done, "ada", isClaim: false, askedStatus: "pending", Default);
        TransitionGuards.NotFinishedByAnother(Task("working", owner: "ada"), "ada", isClaim: false, askedStatus: "working", Default);
    }

    [Fact]
    public void An_unknown_state_and_an_illegal_exit_are_invalid_state_naming_status_and_the_allowed_exits()
    {
        var unknown = Assert.Throws<TaskGraphException>(() => TransitionGuards.StateExists(Default, "shipped"));
        Assert.Equal((ErrorCodes.InvalidState, "status"), (unknown.Code, unknown.Field));

        var illegal = Assert.Throws<TaskGraphException>(() => TransitionGuards.ExitLegal(Default, "pending", "completed"));
        Assert.Equal((ErrorCodes.InvalidState, "status"), (illegal.Code, illegal.Field));
        Assert.Equal(new[] { "assigned", "working", "cancelled" }, (string[])illegal.Details!["allowed"]!);

        TransitionGuards.StateExists(Default, "working");
        TransitionGuards.ExitLegal(Default, "pending", "working");
        TransitionGuards.ExitLegal(Default, "completed", "completed");
    }

    private static string Code(Action guard) => Assert.Throws<TaskGraphException>(guard).Code;
}
