namespace TaskGraph.Core.Workflows;

/// <summary>
/// Lays overlays over a workflow, in order: a state's exits are unioned and its timed flag or-ed, its prompts appended
/// (separated by a rule), new states added; phase and combo prompts appended; gates extended; the initial state replaced
/// unless the overlay says "pending"; blocking states unioned; roles added (the first definition of a role wins) and
/// role prompts appended. And the diff between two effective workflows.
/// </summary>
public static class WorkflowOverlays
{
    private const string Separator = "\n\n---\n\n";

    /// <summary>The workflow with <paramref name="overlays"/> laid over it, in order.</summary>
    public static WorkflowDefinition Apply(WorkflowDefinition workflow, IEnumerable<OverlayDefinition> overlays)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        ArgumentNullException.ThrowIfNull(overlays);
        foreach (var overlay in overlays)
        {
            workflow = Apply(workflow, overlay);
        }

        return workflow;
    }

    /// <summary>What changed from <paramref name="before"/> to <paramref name="after"/>, seen as additions.</summary>
    public static OverlayDiff Diff(WorkflowDefinition before, WorkflowDefinition after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var statesAdded = after.States.Keys.Where(s => !before.States.ContainsKey(s)).ToList();
        var exitsAdded = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var prompts = new List<string>();
        foreach (var (name, state) in after.States)
        {
            var old = before.States.GetValueOrDefault(name);
            var added = state.Exits.Where(e => old is null || !old.Exits.Contains(e)).ToList();
            if (added.Count > 0)
            {
                exitsAdded[name] = added;
            }

            if (state.EnterPrompt != old?.EnterPrompt)
            {
                prompts.Add($"enter~{name}");
            }

            if (state.ExitPrompt != old?.ExitPrompt)
            {
                prompts.Add($"exit~{name}");
            }
        }

        var gates = new List<string>();
        foreach (var (key, list) in after.Gates)
        {
            var had = before.Gates.GetValueOrDefault(key)?.Count ?? 0;
            if (list.Count > had)
            {
                gates.Add(had == 0 ? key : $"{key}(+{list.Count - had})");
            }
        }

        return new OverlayDiff(statesAdded, exitsAdded, gates, prompts);
    }

    private static WorkflowDefinition Apply(WorkflowDefinition workflow, OverlayDefinition overlay)
    {
        var states = new Dictionary<string, StateDefinition>(workflow.States, StringComparer.Ordinal);
        foreach (var (name, add) in overlay.States)
        {
            states[name] = states.TryGetValue(name, out var state)
                ? state with
                {
                    Exits = [.. state.Exits.Union(add.Exits, StringComparer.Ordinal)],
                    Timed = state.Timed || (overlay.TimedGiven.Contains(name) && add.Timed),
                    EnterPrompt = Append(state.EnterPrompt, add.EnterPrompt),
                    ExitPrompt = Append(state.ExitPrompt, add.ExitPrompt),
                }
                : add;
        }

        var gates = new Dictionary<string, IReadOnlyList<GateDefinition>>(workflow.Gates, StringComparer.Ordinal);
        foreach (var (key, list) in overlay.Gates)
        {
            gates[key] = [.. (gates.GetValueOrDefault(key) ?? []), .. list];
        }

        var roles = new Dictionary<string, RoleDefinition>(workflow.Roles, StringComparer.Ordinal);
        foreach (var (name, role) in overlay.Roles)
        {
            roles.TryAdd(name, role);
        }

        var rolePrompts = new Dictionary<string, IReadOnlyDictionary<string, string>>(workflow.RolePrompts, StringComparer.Ordinal);
        foreach (var (role, prompts) in overlay.RolePrompts)
        {
            var merged = new Dictionary<string, string>(rolePrompts.GetValueOrDefault(role) ?? new Dictionary<string, string>(), StringComparer.Ordinal);
            foreach (var (key, text) in prompts)
            {
                merged[key] = Append(merged.GetValueOrDefault(key), text)!;
            }

            rolePrompts[role] = merged;
        }

        var settings = workflow.Settings with
        {
            InitialState = overlay.InitialState is { } initial && initial != "pending" ? initial : workflow.Settings.InitialState,
            BlockingStates = [.. workflow.Settings.BlockingStates.Union(overlay.BlockingStates, StringComparer.Ordinal)],
        };
        return workflow with
        {
            States = states,
            Gates = gates,
            Roles = roles,
            RolePrompts = rolePrompts,
            Settings = settings,
            PhasePrompts = Merge(workflow.PhasePrompts, overlay.PhasePrompts),
            Combos = Merge(workflow.Combos, overlay.Combos),
            Phases = [.. workflow.Phases.Union(overlay.PhasePrompts.Keys, StringComparer.Ordinal)],
        };
    }

    private static Dictionary<string, PromptPair> Merge(IReadOnlyDictionary<string, PromptPair> baseline, IReadOnlyDictionary<string, PromptPair> added)
    {
        var merged = new Dictionary<string, PromptPair>(baseline, StringComparer.Ordinal);
        foreach (var (key, pair) in added)
        {
            merged[key] = merged.TryGetValue(key, out var old) ? new PromptPair(Append(old.Enter, pair.Enter), Append(old.Exit, pair.Exit)) : pair;
        }

        return merged;
    }

    private static string? Append(string? first, string? second) =>
        string.IsNullOrEmpty(second) ? first : string.IsNullOrEmpty(first) ? second : first + Separator + second;
}
