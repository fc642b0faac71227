using System.Globalization;
using System.Text;

namespace TaskGraph.Core.Workflows;

/// <summary>
/// The transition prompts of a change from (status, phase) to (status, phase), in the catalogue's order: the old
/// combination's exit (anything changed), the old phase's exit (phase changed), the old status's exit (status changed),
/// the new status's enter, the new phase's enter, the new combination's enter. Templates are rendered with the
/// catalogue's variables and fallbacks. Nothing changed: no prompts.
/// </summary>
public static class TransitionPrompts
{
    /// <summary>The prompts of moving from (<paramref name="fromStatus"/>, <paramref name="fromPhase"/>) to (<paramref name="toStatus"/>, <paramref name="toPhase"/>).</summary>
    public static IReadOnlyList<TransitionPrompt> For(
        WorkflowDefinition workflow, string? fromStatus, string? fromPhase, string toStatus, string? toPhase, PromptContext context)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        ArgumentNullException.ThrowIfNull(context);
        var statusChanged = fromStatus != toStatus;
        var phaseChanged = fromPhase != toPhase;
        if (!statusChanged && !phaseChanged)
        {
            return [];
        }

        var prompts = new List<TransitionPrompt>();
        void Add(string? template, string source)
        {
            if (!string.IsNullOrWhiteSpace(template))
            {
                prompts.Add(new TransitionPrompt(Render(template, workflow, toStatus, toPhase, context), "workflow:" + source));
            }
        }

        if (fromStatus is not null && fromPhase is not null)
        {
            Add(Combo(workflow, fromStatus, fromPhase)?.Exit, $"exit~{fromStatus}%{fromPhase}");
        }

        if (phaseChanged && fromPhase is not null)
        {
            Add(workflow.PhasePrompts.GetValueOrDefault(fromPhase)?.Exit, $"exit%{fromPhase}");
        }

        if (statusChanged && fromStatus is not null)
        {
            Add(workflow.States.GetValueOrDefault(fromStatus)?.ExitPrompt, $"exit~{fromStatus}");
        }

        if (statusChanged)
        {
            Add(workflow.States.GetValueOrDefault(toStatus)?.EnterPrompt, $"enter~{toStatus}");
        }

        if (phaseChanged && toPhase is not null)
        {
            Add(workflow.PhasePrompts.GetValueOrDefault(toPhase)?.Enter, $"enter%{toPhase}");
        }

        if (toPhase is not null)
        {
            Add(Combo(workflow, toStatus, toPhase)?.Enter, $"enter~{toStatus}%{toPhase}");
        }

        return prompts;
    }

    /// <summary>
    /// The prompts of <paramref name="role"/> under <paramref name="keys"/> (in that order), rendered for the new status and
    /// phase, each with the source <c>role:&lt;role&gt;.&lt;key&gt;</c>.
    /// </summary>
    public static IEnumerable<TransitionPrompt> OfRole(
        WorkflowDefinition workflow, RoleDefinition? role, IReadOnlyList<string> keys, string status, string? phase, PromptContext context)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        ArgumentNullException.ThrowIfNull(keys);
        var prompts = workflow.PromptsOf(role);
        foreach (var key in keys)
        {
            if (prompts.TryGetValue(key, out var text) && !string.IsNullOrWhiteSpace(text))
            {
                yield return new TransitionPrompt(Render(text, workflow, status, phase, context), $"role:{role!.Name}.{key}");
            }
        }
    }

    /// <summary>The role prompt keys a move gives: claiming and reporting when the worker takes the task, completing when it completes it.</summary>
    public static IReadOnlyList<string> RoleKeys(bool claimed, bool completed) =>
        claimed ? ["claiming", "reporting"] : completed ? ["completing"] : [];

    /// <summary>Renders the catalogue's variables into <paramref name="template"/>; unknown variables stay as written.</summary>
    public static string Render(string template, WorkflowDefinition workflow, string status, string? phase, PromptContext context)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(workflow);
        ArgumentNullException.ThrowIfNull(context);
        if (!template.Contains("{{", StringComparison.Ordinal))
        {
            return template;
        }

        var exits = workflow.States.GetValueOrDefault(status)?.Exits ?? [];
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["current_status"] = status,
            ["valid_exits"] = exits.Count == 0
                ? "- _(no transitions available - terminal state)_"
                : string.Join("\n", exits.Select(e => $"- `{e}`")),
            ["current_phase"] = phase is null ? "_(none)_" : $"`{phase}`",
            ["valid_phases"] = string.Join(", ", workflow.Phases.Order(StringComparer.Ordinal)),
            ["task_id"] = context.TaskId ?? "_unknown_",
            ["task_title"] = string.IsNullOrEmpty(context.TaskTitle) ? "_untitled_" : context.TaskTitle,
            ["task_priority"] = context.TaskPriority?.ToString(CultureInfo.InvariantCulture) ?? "_unset_",
            ["task_tags"] = context.TaskTags.Count == 0 ? "_(none)_" : string.Join(", ", context.TaskTags),
            ["agent_id"] = context.AgentId ?? "_unknown_",
            ["agent_role"] = context.AgentRole is null ? "_(none)_" : $"`{context.AgentRole}`",
            ["agent_tags"] = context.AgentTags.Count == 0 ? "_(none)_" : string.Join(", ", context.AgentTags),
        };
        var sb = new StringBuilder(template.Length);
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf("{{", i, StringComparison.Ordinal);
            var close = open < 0 ? -1 : template.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (open < 0 || close < 0)
            {
                sb.Append(template, i, template.Length - i);
                break;
            }

            sb.Append(template, i, open - i);
            var name = template[(open + 2)..close].Trim();
            sb.Append(values.TryGetValue(name, out var value) ? value : template[open..(close + 2)]);
            i = close + 2;
        }

        return sb.ToString();
    }

    private static PromptPair? Combo(WorkflowDefinition workflow, string status, string phase) =>
        workflow.Combos.GetValueOrDefault($"{status}+{phase}");
}
