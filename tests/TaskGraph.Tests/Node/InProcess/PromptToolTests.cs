using TaskGraph.Core.Configuration;
using TaskGraph.Core.Workflows;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.InProcess;

/// <summary>
/// Transition prompts in the answers of claim and update, with their sources: keyed on the caller's own last status
/// (caller, the default), on the task's change (all), or none; rendered with the task's and the worker's values.
/// </summary>
[Trait("Lane", "fast")]
public sealed class PromptToolTests : InProcessToolTests
{
    protected override TaskGraphConfig Config => new()
    {
        DefaultWorkflow = new WorkflowDefinition
        {
            States = new Dictionary<string, StateDefinition>(WorkflowDefinition.DefaultStates())
            {
                ["working"] = new() { Exits = ["completed", "failed", "pending"], Timed = true, EnterPrompt = "You own {{task_id}}. Next:\n{{valid_exits}}", ExitPrompt = "Attach a summary." },
                ["completed"] = new() { Exits = ["pending"], EnterPrompt = "Done, {{agent_id}}." },
            },
        },
    };

    private static List<(string Source, string Text)> Prompts(System.Text.Json.JsonElement answer) =>
        answer.TryGetProperty("prompts", out var p) ? [.. p.EnumerateArray().Select(e => (String(e, "source")!, String(e, "text")!))] : [];

    [Fact]
    public async Task Claim_and_complete_carry_the_enter_and_exit_prompts_of_the_workers_own_moves()
    {
        await CallAsync("connect", new { worker_id = "pw" });
        await CallAsync("create", new { id = "p-a", title = "first" });
        await CallAsync("create", new { id = "p-b", title = "second" });

        var claim = await CallAsync("claim", new { worker_id = "pw", task = "p-a" });
        var enter = Assert.Single(Prompts(claim));
        Assert.Equal("workflow:enter~working", enter.Source);
        Assert.Equal("You own p-a. Next:\n- `completed`\n- `failed`\n- `pending`", enter.Text);

        var done = await CallAsync("update", new { worker_id = "pw", task = "p-a", status = "completed" });
        Assert.Equal(["workflow:exit~working", "workflow:enter~completed"], Prompts(done).Select(p => p.Source));
        Assert.Equal("Done, pw.", Prompts(done)[1].Text);

        // The next claim starts from the worker's own last status (completed), so it enters working again.
        Assert.Equal(["workflow:enter~working"], Prompts(await CallAsync("claim", new { worker_id = "pw" })).Select(p => p.Source));
    }

    [Fact]
    public async Task Prompts_none_leaves_them_out_and_all_follows_the_tasks_own_change()
    {
        await CallAsync("connect", new { worker_id = "pw2" });
        await CallAsync("create", new { id = "p-c", title = "quiet" });
        Assert.Empty(Prompts(await CallAsync("claim", new { worker_id = "pw2", task = "p-c", prompts = "none" })));

        // The worker's last status is working (from its claim): caller mode sees no change of its own on a title edit,
        // all sees none either (the task's status did not change), and a status change shows in both.
        Assert.Empty(Prompts(await CallAsync("update", new { worker_id = "pw2", task = "p-c", title = "renamed", prompts = "all" })));
        var released = await CallAsync("update", new { worker_id = "pw2", task = "p-c", status = "pending", prompts = "all" });
        Assert.Equal(["workflow:exit~working"], Prompts(released).Select(p => p.Source));
        await RefusedAsync("update", new { worker_id = "pw2", task = "p-c", title = "x", prompts = "some" }, "INVALID_FIELD_VALUE");
    }
}
