using TaskGraph.Core.Workflows;

namespace TaskGraph.Tests.Rules.Workflows;

/// <summary>
/// Transition prompts as a pure function: the catalogue's trigger order (old combo exit, old phase exit, old status exit,
/// new status enter, new phase enter, new combo enter), only what changed, source attribution, and every template
/// variable with its fallback.
/// </summary>
[Trait("Lane", "fast")]
public sealed class TransitionPromptsTests
{
    private static readonly WorkflowDefinition Workflow = new()
    {
        States = new Dictionary<string, StateDefinition>(WorkflowDefinition.DefaultStates())
        {
            ["pending"] = new() { Exits = ["working"], ExitPrompt = "leave pending", EnterPrompt = "enter pending" },
            ["working"] = new() { Exits = ["completed", "pending"], Timed = true, EnterPrompt = "enter working; next: {{valid_exits}}", ExitPrompt = "leave working" },
            ["completed"] = new() { Exits = [], EnterPrompt = "done {{task_id}} ({{task_title}}) by {{agent_id}}, exits {{valid_exits}}" },
        },
        Phases = ["design", "implement"],
        PhasePrompts = new Dictionary<string, PromptPair>(StringComparer.Ordinal)
        {
            ["design"] = new("enter design", "leave design"),
            ["implement"] = new("enter implement in {{current_phase}} of {{valid_phases}}", null),
        },
        Combos = new Dictionary<string, PromptPair>(StringComparer.Ordinal)
        {
            ["pending+design"] = new(null, "leave pending+design"),
            ["working+implement"] = new("enter working+implement", null),
        },
    };

    private static readonly PromptContext Context = new() { TaskId = "t-1", TaskTitle = "Parse it", TaskPriority = 7, AgentId = "alice" };

    [Fact]
    public void A_change_of_status_and_phase_gives_the_six_prompts_in_the_catalogue_order()
    {
        var prompts = TransitionPrompts.For(Workflow, "pending", "design", "working", "implement", Context);
        Assert.Equal(
            ["workflow:exit~pending%design", "workflow:exit%design", "workflow:exit~pending", "workflow:enter~working", "workflow:enter%implement", "workflow:enter~working%implement"],
            prompts.Select(p => p.Source));
        Assert.Equal("enter working; next: - `completed`\n- `pending`", prompts[3].Text);
        Assert.Equal("enter implement in `implement` of design, implement", prompts[4].Text);
    }

    [Fact]
    public void Only_what_changed_prompts_and_nothing_changed_prompts_nothing()
    {
        Assert.Equal(["workflow:exit~working", "workflow:enter~completed"], TransitionPrompts.For(Workflow, "working", null, "completed", null, Context).Select(p => p.Source));
        Assert.Equal(["workflow:exit%design", "workflow:enter%implement"], TransitionPrompts.For(Workflow, "pending", "design", "pending", "implement", Context).Select(p => p.Source).Where(s => !s.Contains('~', StringComparison.Ordinal)));
        Assert.Empty(TransitionPrompts.For(Workflow, "working", "implement", "working", "implement", Context));
        Assert.Equal(["workflow:enter~working"], TransitionPrompts.For(Workflow, null, null, "working", null, Context).Select(p => p.Source));
    }

    [Fact]
    public void Variables_render_with_the_catalogue_fallbacks()
    {
        var done = Assert.Single(TransitionPrompts.For(Workflow, "working", null, "completed", null, Context), p => p.Source == "workflow:enter~completed");
        Assert.Equal("done t-1 (Parse it) by alice, exits - _(no transitions available - terminal state)_", done.Text);

        var all = "{{current_status}}|{{current_phase}}|{{task_priority}}|{{task_tags}}|{{agent_role}}|{{agent_tags}}|{{task_title}}|{{task_id}}|{{unknown_var}}";
        Assert.Equal("working|_(none)_|_unset_|_(none)_|_(none)_|_(none)_|_untitled_|_unknown_|{{unknown_var}}", TransitionPrompts.Render(all, Workflow, "working", null, new PromptContext()));
        Assert.Equal("working|`design`|7|a, b|_(none)_|x|Parse it|t-1|{{unknown_var}}",
            TransitionPrompts.Render(all, Workflow, "working", "design", Context with { TaskTags = ["a", "b"], AgentTags = ["x"] }));
    }
}
