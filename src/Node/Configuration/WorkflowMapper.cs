using TaskGraph.Core.Workflows;

namespace TaskGraph.Node.Configuration;

/// <summary>
/// Maps a workflow file's tree over a base workflow with deep-merge semantics: states and settings merge key by key
/// (base states survive), lists replace, phases given as a map add to the base phases. Gates (<c>status:</c> and
/// <c>phase:</c> keys), phase prompts, combos, roles and role prompts are read too (a role or a role's prompt key given
/// replaces the base's). Other top-level keys (attachments, push, sprint, templates, a role's own phases and prompts) are
/// documentation for the agents and are not read.
/// </summary>
public static class WorkflowMapper
{
    /// <summary>
    /// An overlay file's tree, read raw (no defaults): states with the exits, timed flag and prompts they add, phase and
    /// combo prompts, gates, and the settings an overlay may set (initial_state, blocking_states).
    /// </summary>
    public static OverlayDefinition Overlay(string name, Dictionary<string, object?> tree, ConfigReader reader)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(reader);
        var states = new Dictionary<string, StateDefinition>(StringComparer.Ordinal);
        var timedGiven = new HashSet<string>(StringComparer.Ordinal);
        if (reader.Map(tree, "states", "states") is { } stateTree)
        {
            foreach (var stateName in stateTree.Keys)
            {
                var path = $"states.{stateName}";
                var state = reader.Map(stateTree, stateName, path);
                var prompts = reader.Map(state, "prompts", $"{path}.prompts");
                var timed = reader.Bool(state, "timed", $"{path}.timed");
                if (timed is not null)
                {
                    timedGiven.Add(stateName);
                }

                states[stateName] = new StateDefinition
                {
                    Exits = reader.StringList(state, "exits", $"{path}.exits") ?? [],
                    Timed = timed ?? false,
                    EnterPrompt = reader.Text(prompts, "enter", $"{path}.prompts.enter"),
                    ExitPrompt = reader.Text(prompts, "exit", $"{path}.prompts.exit"),
                };
            }
        }

        var phasePrompts = new Dictionary<string, PromptPair>(StringComparer.Ordinal);
        if (tree.GetValueOrDefault("phases") is Dictionary<string, object?> phaseMap)
        {
            foreach (var phase in phaseMap.Keys)
            {
                if (reader.Map(phaseMap, phase, $"phases.{phase}") is { } node && reader.Map(node, "prompts", $"phases.{phase}.prompts") is { } prompts)
                {
                    phasePrompts[phase] = new PromptPair(reader.Text(prompts, "enter", $"phases.{phase}.prompts.enter"), reader.Text(prompts, "exit", $"phases.{phase}.prompts.exit"));
                }
            }
        }

        var settings = reader.Map(tree, "settings", "settings");
        return new OverlayDefinition
        {
            Name = name,
            Description = reader.Text(tree, "description", "description"),
            States = states,
            TimedGiven = timedGiven,
            PhasePrompts = phasePrompts,
            Combos = Combos(new Dictionary<string, PromptPair>(), tree, reader),
            Gates = Gates(new Dictionary<string, IReadOnlyList<GateDefinition>>(), tree, reader),
            Roles = Roles(new Dictionary<string, RoleDefinition>(), tree, reader),
            RolePrompts = RolePrompts(new Dictionary<string, IReadOnlyDictionary<string, string>>(), tree, reader),
            InitialState = reader.Text(settings, "initial_state", "settings.initial_state"),
            BlockingStates = reader.StringList(settings, "blocking_states", "settings.blocking_states") ?? [],
        };
    }

    /// <summary><c>combos: {"status+phase": {enter, exit}}</c> over the base workflow's.</summary>
    private static Dictionary<string, PromptPair> Combos(IReadOnlyDictionary<string, PromptPair> baseline, Dictionary<string, object?> tree, ConfigReader reader)
    {
        var combos = new Dictionary<string, PromptPair>(baseline, StringComparer.Ordinal);
        if (reader.Map(tree, "combos", "combos") is not { } comboTree)
        {
            return combos;
        }

        foreach (var key in comboTree.Keys)
        {
            var path = $"combos.{key}";
            if (key.Split('+') is not [{ Length: > 0 }, { Length: > 0 }])
            {
                reader.Problem(path, "a combo key is <status>+<phase>");
                continue;
            }

            if (reader.Map(comboTree, key, path) is { } combo)
            {
                combos[key] = new PromptPair(reader.Text(combo, "enter", $"{path}.enter"), reader.Text(combo, "exit", $"{path}.exit"));
            }
        }

        return combos;
    }

    /// <summary>
    /// <c>gates: {"status:&lt;s&gt;" | "phase:&lt;p&gt;": [{type, enforcement: allow|warn|reject (default warn), description}]}</c>
    /// over the base workflow's gates (a key given replaces the base's list for that key).
    /// </summary>
    private static Dictionary<string, IReadOnlyList<GateDefinition>> Gates(
        IReadOnlyDictionary<string, IReadOnlyList<GateDefinition>> baseline, Dictionary<string, object?> tree, ConfigReader reader)
    {
        var gates = new Dictionary<string, IReadOnlyList<GateDefinition>>(baseline, StringComparer.Ordinal);
        if (reader.Map(tree, "gates", "gates") is not { } gateTree)
        {
            return gates;
        }

        foreach (var (key, node) in gateTree)
        {
            var path = $"gates.{key}";
            if (!key.StartsWith("status:", StringComparison.Ordinal) && !key.StartsWith("phase:", StringComparison.Ordinal))
            {
                reader.Problem(path, "a gate key is status:<state> or phase:<phase>");
                continue;
            }

            if (node is not List<object?> items)
            {
                reader.Problem(path, "expected a list of gates ({type, enforcement, description})");
                continue;
            }

            var list = new List<GateDefinition>();
            for (var i = 0; i < items.Count; i++)
            {
                var itemPath = $"{path}[{i}]";
                if (items[i] is not Dictionary<string, object?> item)
                {
                    reader.Problem(itemPath, "expected {type, enforcement, description}");
                    continue;
                }

                if (reader.Text(item, "type", $"{itemPath}.type") is not { Length: > 0 } type)
                {
                    reader.Problem($"{itemPath}.type", "a gate needs the attachment type that satisfies it");
                    continue;
                }

                list.Add(new GateDefinition
                {
                    Type = type,
                    Enforcement = reader.Choice(item, "enforcement", $"{itemPath}.enforcement", "allow", "warn", "reject") ?? "warn",
                    Description = reader.Text(item, "description", $"{itemPath}.description"),
                });
            }

            gates[key] = list;
        }

        return gates;
    }

    /// <summary>Applies <paramref name="tree"/> over <paramref name="baseline"/>; type problems go to <paramref name="reader"/>.</summary>
    public static WorkflowDefinition Apply(WorkflowDefinition baseline, string name, Dictionary<string, object?> tree, ConfigReader reader)
    {
        var settings = reader.Map(tree, "settings", "settings");
        var baseSettings = baseline.Settings;
        var mergedSettings = new WorkflowSettings
        {
            InitialState = reader.Text(settings, "initial_state", "settings.initial_state") ?? baseSettings.InitialState,
            DisconnectState = reader.Text(settings, "disconnect_state", "settings.disconnect_state") ?? baseSettings.DisconnectState,
            AssignedState = reader.Text(settings, "assigned_state", "settings.assigned_state") ?? baseSettings.AssignedState,
            CompletedState = reader.Text(settings, "completed_state", "settings.completed_state") ?? baseSettings.CompletedState,
            BlockingStates = reader.StringList(settings, "blocking_states", "settings.blocking_states") ?? baseSettings.BlockingStates,
            UnknownPhase = reader.Choice(settings, "unknown_phase", "settings.unknown_phase", "allow", "warn", "reject") ?? baseSettings.UnknownPhase,
        };

        var states = new Dictionary<string, StateDefinition>(baseline.States, StringComparer.Ordinal);
        if (reader.Map(tree, "states", "states") is { } stateTree)
        {
            foreach (var (stateName, node) in stateTree)
            {
                var path = $"states.{stateName}";
                var baseState = states.GetValueOrDefault(stateName) ?? new StateDefinition();
                if (node is null or ConfigScalar { IsNull: true })
                {
                    states[stateName] = baseState;
                    continue;
                }

                var state = reader.Map(stateTree, stateName, path);
                if (state is null)
                {
                    continue;
                }

                var prompts = reader.Map(state, "prompts", $"{path}.prompts");
                states[stateName] = new StateDefinition
                {
                    Exits = reader.StringList(state, "exits", $"{path}.exits") ?? baseState.Exits,
                    Timed = reader.Bool(state, "timed", $"{path}.timed") ?? baseState.Timed,
                    EnterPrompt = reader.Text(prompts, "enter", $"{path}.prompts.enter") ?? baseState.EnterPrompt,
                    ExitPrompt = reader.Text(prompts, "exit", $"{path}.prompts.exit") ?? baseState.ExitPrompt,
                };
            }
        }

        var phases = baseline.Phases;
        var phasePrompts = new Dictionary<string, PromptPair>(baseline.PhasePrompts, StringComparer.Ordinal);
        switch (tree.GetValueOrDefault("phases"))
        {
            case Dictionary<string, object?> phaseMap:
                phases = [.. baseline.Phases.Union(phaseMap.Keys, StringComparer.Ordinal)];
                foreach (var phase in phaseMap.Keys)
                {
                    if (reader.Map(phaseMap, phase, $"phases.{phase}") is { } phaseNode
                        && reader.Map(phaseNode, "prompts", $"phases.{phase}.prompts") is { } prompts)
                    {
                        phasePrompts[phase] = new PromptPair(
                            reader.Text(prompts, "enter", $"phases.{phase}.prompts.enter"),
                            reader.Text(prompts, "exit", $"phases.{phase}.prompts.exit"));
                    }
                }

                break;
            case List<object?>:
                phases = reader.StringList(tree, "phases", "phases") ?? phases;
                break;
            case ConfigScalar { IsNull: false }:
                reader.Problem("phases", "expected a map of phases or a list of phase names");
                break;
        }

        return new WorkflowDefinition
        {
            Name = name,
            Description = reader.Text(tree, "description", "description") ?? baseline.Description,
            Settings = mergedSettings,
            States = states,
            Phases = phases,
            Gates = Gates(baseline.Gates, tree, reader),
            PhasePrompts = phasePrompts,
            Combos = Combos(baseline.Combos, tree, reader),
            Roles = Roles(baseline.Roles, tree, reader),
            RolePrompts = RolePrompts(baseline.RolePrompts, tree, reader),
        };
    }

    /// <summary><c>roles: {name: {description, tags, max_claims, can_assign, can_create_subtasks}}</c> over the base's.</summary>
    private static Dictionary<string, RoleDefinition> Roles(IReadOnlyDictionary<string, RoleDefinition> baseline, Dictionary<string, object?> tree, ConfigReader reader)
    {
        var roles = new Dictionary<string, RoleDefinition>(baseline, StringComparer.Ordinal);
        if (reader.Map(tree, "roles", "roles") is not { } roleTree)
        {
            return roles;
        }

        foreach (var name in roleTree.Keys)
        {
            var path = $"roles.{name}";
            if (reader.Map(roleTree, name, path) is not { } role)
            {
                continue;
            }

            var maxClaims = reader.WholeNumber(role, "max_claims", $"{path}.max_claims");
            if (maxClaims is < 1)
            {
                reader.Problem($"{path}.max_claims", "must be at least 1");
            }

            roles[name] = new RoleDefinition
            {
                Name = name,
                Description = reader.Text(role, "description", $"{path}.description"),
                Tags = reader.StringList(role, "tags", $"{path}.tags") ?? [],
                MaxClaims = maxClaims,
                CanAssign = reader.Bool(role, "can_assign", $"{path}.can_assign"),
                CanCreateSubtasks = reader.Bool(role, "can_create_subtasks", $"{path}.can_create_subtasks"),
            };
        }

        return roles;
    }

    /// <summary><c>role_prompts: {role: {key: text}}</c> over the base's, key by key.</summary>
    private static Dictionary<string, IReadOnlyDictionary<string, string>> RolePrompts(
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> baseline, Dictionary<string, object?> tree, ConfigReader reader)
    {
        var all = new Dictionary<string, IReadOnlyDictionary<string, string>>(baseline, StringComparer.Ordinal);
        if (reader.Map(tree, "role_prompts", "role_prompts") is not { } promptTree)
        {
            return all;
        }

        foreach (var role in promptTree.Keys)
        {
            var path = $"role_prompts.{role}";
            if (reader.Map(promptTree, role, path) is not { } keys)
            {
                continue;
            }

            var prompts = new Dictionary<string, string>(all.GetValueOrDefault(role) ?? new Dictionary<string, string>(), StringComparer.Ordinal);
            foreach (var key in keys.Keys)
            {
                if (reader.Text(keys, key, $"{path}.{key}") is { } text)
                {
                    prompts[key] = text;
                }
            }

            all[role] = prompts;
        }

        return all;
    }
}
