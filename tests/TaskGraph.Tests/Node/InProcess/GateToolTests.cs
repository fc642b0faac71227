using TaskGraph.Core.Configuration;
using TaskGraph.Core.Workflows;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.InProcess;

/// <summary>
/// Exit gates through the real tools on a workflow whose <c>working</c> state has a reject, a warn and an allow gate:
/// completing without evidence is refused (and changes nothing), force passes warn gates only, attachments (also inline
/// in the same update) satisfy them, releasing is gated too, and check_gates reports what is missing.
/// </summary>
[Trait("Lane", "fast")]
public sealed class GateToolTests : InProcessToolTests
{
    protected override TaskGraphConfig Config => new()
    {
        DefaultWorkflow = new WorkflowDefinition
        {
            Gates = new Dictionary<string, IReadOnlyList<GateDefinition>>(StringComparer.Ordinal)
            {
                ["status:working"] =
                [
                    new GateDefinition { Type = "gate/tests", Enforcement = "reject", Description = "test results" },
                    new GateDefinition { Type = "commit", Enforcement = "warn", Description = "a commit" },
                    new GateDefinition { Type = "summary", Enforcement = "allow" },
                ],
            },
        },
    };

    private async Task ClaimedAsync(string task)
    {
        await CallAsync("connect", new { worker_id = "gw", force = true });
        await CallAsync("create", new { id = task, title = "gated" });
        await CallAsync("claim", new { worker_id = "gw", task });
    }

    [Fact]
    public async Task Completing_without_the_reject_gate_is_refused_even_with_force_and_changes_nothing()
    {
        await ClaimedAsync("g-a");
        var before = (await CallAsync("get", new { task = "g-a" })).GetRawText();
        foreach (var force in new[] { false, true })
        {
            var envelope = await RefusedAsync("update", new { worker_id = "gw", task = "g-a", status = "completed", force }, "GATES_NOT_SATISFIED");
            Assert.Contains("gate/tests", String(envelope, "message"), StringComparison.Ordinal);
        }

        Assert.Equal(before, (await CallAsync("get", new { task = "g-a" })).GetRawText());

        // Releasing is leaving 'working' too.
        await RefusedAsync("update", new { worker_id = "gw", task = "g-a", status = "pending" }, "GATES_NOT_SATISFIED");
    }

    [Fact]
    public async Task A_warn_gate_needs_force_and_then_warns_and_the_allow_gate_only_warns()
    {
        await ClaimedAsync("g-b");
        await CallAsync("attach", new { task = "g-b", type = "gate/tests", content = "42 passed" });
        var refused = await RefusedAsync("update", new { worker_id = "gw", task = "g-b", status = "completed" }, "GATES_NOT_SATISFIED");
        Assert.Contains("without force=true", String(refused, "message"), StringComparison.Ordinal);

        var done = await CallAsync("update", new { worker_id = "gw", task = "g-b", status = "completed", force = true });
        Assert.Equal("completed", String(done, "status"));
        var warnings = Strings(done, "gate_warnings");
        Assert.Contains(warnings, w => w.Contains("force=true", StringComparison.Ordinal) && w.Contains("commit", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith("Optional", StringComparison.Ordinal) && w.Contains("summary", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Inline_attachments_of_the_same_update_satisfy_the_gates()
    {
        await ClaimedAsync("g-c");
        var done = await CallAsync("update", new
        {
            worker_id = "gw",
            task = "g-c",
            status = "completed",
            attachments = new object[]
            {
                new { type = "gate/tests", content = "all green" },
                new { type = "commit", content = "deadbeef" },
                new { type = "summary", content = "did the thing" },
            },
        });
        Assert.Equal("completed", String(done, "status"));
        Assert.False(done.TryGetProperty("gate_warnings", out _));
        Assert.Equal(3, done.GetProperty("attachments_added").GetArrayLength());
    }

    [Fact]
    public async Task A_refused_update_keeps_none_of_its_inline_attachments()
    {
        await ClaimedAsync("g-d");
        await RefusedAsync("update", new { worker_id = "gw", task = "g-d", status = "completed", attachments = new[] { new { type = "commit", content = "abc" } } }, "GATES_NOT_SATISFIED");
        Assert.Equal(0, (await CallAsync("attachments", new { task = "g-d" })).GetProperty("attachments").GetArrayLength());
    }

    [Fact]
    public async Task Check_gates_reports_the_unsatisfied_gates_of_the_current_status()
    {
        await ClaimedAsync("g-e");
        var fail = await CallAsync("check_gates", new { task = "g-e" });
        Assert.Equal("fail", String(fail, "status"));
        Assert.Equal(["gate/tests", "commit", "summary"], fail.GetProperty("gates").EnumerateArray().Select(g => String(g, "type")));
        Assert.All(fail.GetProperty("gates").EnumerateArray(), g => Assert.False(g.GetProperty("satisfied").GetBoolean()));

        await CallAsync("attach", new { task = "g-e", type = "gate/tests", content = "ok" });
        Assert.Equal("warn", String(await CallAsync("check_gates", new { task = "g-e" }), "status"));
        await CallAsync("attach", new { task = "g-e", type = "commit", content = "c0ffee" });
        var pass = await CallAsync("check_gates", new { task = "g-e" });
        Assert.Equal("pass", String(pass, "status"));
        Assert.Equal(["summary"], pass.GetProperty("gates").EnumerateArray().Select(g => String(g, "type")));

        await RefusedAsync("check_gates", new { task = "g-nope" }, "TASK_NOT_FOUND");
    }
}
