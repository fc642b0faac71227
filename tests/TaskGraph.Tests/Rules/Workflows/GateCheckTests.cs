using TaskGraph.Core.Errors;
using TaskGraph.Core.Records;
using TaskGraph.Core.Workflows;

namespace TaskGraph.Tests.Rules.Workflows;

/// <summary>
/// The exit gates as a pure decision: which gates an attachment type satisfies, the old status's gates on a status
/// change and the old phase's on a phase change (nothing when neither changes), reject never passes, warn passes only
/// with force (with a warning), allow always passes with a warning, and check_gates' verdict.
/// </summary>
[Trait("Lane", "fast")]
public sealed class GateCheckTests
{
    private static readonly WorkflowDefinition Gated = new()
    {
        Gates = new Dictionary<string, IReadOnlyList<GateDefinition>>(StringComparer.Ordinal)
        {
            ["status:working"] =
            [
                new GateDefinition { Type = "gate/tests", Enforcement = "reject", Description = "test results" },
                new GateDefinition { Type = "commit", Enforcement = "warn" },
                new GateDefinition { Type = "summary", Enforcement = "allow" },
            ],
            ["phase:design"] = [new GateDefinition { Type = "gate/spec", Enforcement = "reject" }],
        },
    };

    private static TaskRecord Task(string status, string? phase = null, params string[] types) => new()
    {
        Id = "t",
        Status = status,
        Phase = phase,
        Attachments = types.Length == 0 ? null : [.. types.Select((t, i) => new AttachmentMeta { Type = t, Sequence = 0, MimeType = "text/plain" })],
    };

    [Fact]
    public void A_reject_gate_refuses_with_or_without_force_and_names_the_gate()
    {
        foreach (var force in new[] { false, true })
        {
            var ex = Assert.Throws<TaskGraphException>(() => GateCheck.Exit(Gated, Task("working"), Task("completed"), force));
            Assert.Equal(ErrorCodes.GatesNotSatisfied, ex.Code);
            Assert.Contains("gate/tests (test results)", ex.Message, StringComparison.Ordinal);
            Assert.Contains("attach(task=\"t\", type=\"gate/tests\"", ex.Suggestion, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_warn_gate_refuses_without_force_and_warns_with_it()
    {
        var satisfied = Task("completed", null, "gate/tests");
        var ex = Assert.Throws<TaskGraphException>(() => GateCheck.Exit(Gated, Task("working"), satisfied, force: false));
        Assert.Contains("without force=true", ex.Message, StringComparison.Ordinal);
        Assert.Contains("commit", ex.Message, StringComparison.Ordinal);

        var warnings = GateCheck.Exit(Gated, Task("working"), satisfied, force: true);
        Assert.Contains(warnings, w => w.StartsWith("Proceeding despite unsatisfied status gates (force=true): commit", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith("Optional status gates not satisfied: summary", StringComparison.Ordinal));
    }

    [Fact]
    public void Satisfied_gates_pass_silently_and_unchanged_status_checks_nothing()
    {
        Assert.Empty(GateCheck.Exit(Gated, Task("working"), Task("completed", null, "gate/tests", "commit", "summary"), force: false));
        Assert.Empty(GateCheck.Exit(Gated, Task("working"), Task("working"), force: false));
        Assert.Empty(GateCheck.Exit(Gated, Task("pending"), Task("working"), force: false));
    }

    [Fact]
    public void A_phase_change_checks_the_old_phase_and_a_status_change_the_old_status()
    {
        var ex = Assert.Throws<TaskGraphException>(() => GateCheck.Exit(Gated, Task("pending", "design"), Task("pending", "implement"), force: true));
        Assert.Contains("Cannot exit phase 'design'", ex.Message, StringComparison.Ordinal);
        Assert.Empty(GateCheck.Exit(Gated, Task("pending", "design"), Task("pending", "implement", "gate/spec"), force: false));
        Assert.Empty(GateCheck.Exit(Gated, Task("pending", "implement"), Task("pending", "design"), force: false));
    }

    [Fact]
    public void The_verdict_is_fail_for_reject_warn_for_warn_and_pass_otherwise()
    {
        Assert.Equal("fail", GateCheck.Verdict(GateCheck.Unsatisfied(Gated, Task("working"), "status:working")));
        Assert.Equal("warn", GateCheck.Verdict(GateCheck.Unsatisfied(Gated, Task("working", null, "gate/tests"), "status:working")));
        Assert.Equal("pass", GateCheck.Verdict(GateCheck.Unsatisfied(Gated, Task("working", null, "gate/tests", "commit"), "status:working")));
        Assert.Empty(GateCheck.Unsatisfied(Gated, Task("pending"), "status:pending"));
    }
}
