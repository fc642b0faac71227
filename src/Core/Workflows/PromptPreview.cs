namespace TaskGraph.Core.Workflows;

/// <summary>
/// What <c>get_prompts</c> shows before a move: every prompt trigger a workflow defines, and the prompts entering a status
/// (and phase) would give, rendered for a task and a worker, with the role's claiming prompts when the status is timed.
/// </summary>
public static class PromptPreview
{
    /// <summary>
    /// The workflow's triggers: <c>enter~s</c>/<c>exit~s</c> per state, <c>enter%p</c>/<c>exit%p</c> per phase,
    /// <c>enter~s%p</c>/<c>exit~s%p</c> per combo, <c>role:r.key</c> per role prompt; sorted.
    /// </summary>
    public static IReadOnlyList<string> Triggers(WorkflowDefinition workflow)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        var triggers = new List<string>();
        foreach (var (name, state) in workflow.States)
        {
            Add(triggers, state.EnterPrompt, $"enter~{name}");
            Add(triggers, state.ExitPrompt, $"exit~{name}");
        }

        foreach (var (phase, pair) in workflow.PhasePrompts)
        {
            Add(triggers, pair.Enter, $"enter%{phase}");
            Add(triggers, pair.Exit, $"exit%{phase}");
        }

        foreach (var (key, pair) in workflow.Combos)
        {
            var combo = key.Replace("+", "%", StringComparison.Ordinal);
            Add(triggers, pair.Enter, $"enter~{combo}");
            Add(triggers, pair.Exit, $"exit~{combo}");
        }

        foreach (var (role, prompts) in workflow.RolePrompts)
        {
            foreach (var (key, text) in prompts)
            {
                Add(triggers, text, $"role:{role}.{key}");
            }
        }

        triggers.Sort(StringComparer.Ordinal);
        return triggers;
    }

    /// <summary>The prompts of entering <paramref name="status"/> (and <paramref name="phase"/>) from nowhere, as <paramref name="context"/>'s worker would get them.</summary>
    public static IReadOnlyList<TransitionPrompt> Entering(WorkflowDefinition workflow, string status, string? phase, PromptContext context, RoleDefinition? role)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        ArgumentNullException.ThrowIfNull(context);
        var withRole = context with { AgentRole = role?.Name };
        var keys = TransitionPrompts.RoleKeys(workflow.IsTimed(status), status == workflow.Settings.CompletedState);
        return [.. TransitionPrompts.For(workflow, null, null, status, phase, withRole), .. TransitionPrompts.OfRole(workflow, role, keys, status, phase, withRole)];
    }

    private static void Add(List<string> triggers, string? text, string trigger)
    {
        if (!string.IsNullOrWhiteSpace(text))
        {
            triggers.Add(trigger);
        }
    }
}
