namespace TaskGraph.Core.Workflows;

/// <summary>A state machine: states, settings and phases. Rules read it; config loading builds it.</summary>
public sealed record WorkflowDefinition
{
    /// <summary>The workflow's name.</summary>
    public string Name { get; init; } = "default";

    /// <summary>What it is for.</summary>
    public string? Description { get; init; }

    /// <summary>Settings.</summary>
    public WorkflowSettings Settings { get; init; } = new();

    /// <summary>States by name.</summary>
    public IReadOnlyDictionary<string, StateDefinition> States { get; init; } = DefaultStates();

    /// <summary>Known phases (an unknown phase is handled per <see cref="WorkflowSettings.UnknownPhase"/>).</summary>
    public IReadOnlyList<string> Phases { get; init; } = DefaultPhases;

    /// <summary>Exit gates by key (<c>status:&lt;state&gt;</c> or <c>phase:&lt;phase&gt;</c>), see <see cref="GateCheck"/>.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<GateDefinition>> Gates { get; init; } = new Dictionary<string, IReadOnlyList<GateDefinition>>(StringComparer.Ordinal);

    /// <summary>Prompts of entering and leaving phases, by phase.</summary>
    public IReadOnlyDictionary<string, PromptPair> PhasePrompts { get; init; } = new Dictionary<string, PromptPair>(StringComparer.Ordinal);

    /// <summary>Prompts of a status and phase together (<c>combos: {"working+implement": {enter, exit}}</c>), by "status+phase".</summary>
    public IReadOnlyDictionary<string, PromptPair> Combos { get; init; } = new Dictionary<string, PromptPair>(StringComparer.Ordinal);

    /// <summary>Roles by name (<c>roles</c>).</summary>
    public IReadOnlyDictionary<string, RoleDefinition> Roles { get; init; } = new Dictionary<string, RoleDefinition>(StringComparer.Ordinal);

    /// <summary>
    /// Prompts per role and key (<c>role_prompts: {role: {key: text}}</c>). All of a role's prompts come with
    /// <c>connect</c>; the keys <c>claiming</c> and <c>reporting</c> also come with a claim, <c>completing</c> with completing.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> RolePrompts { get; init; } = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);

    /// <summary>The role of a worker with <paramref name="tags"/>: the first role by name whose tags overlap them, or null.</summary>
    public RoleDefinition? RoleFor(IReadOnlyList<string> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        return tags.Count == 0
            ? null
            : Roles.Values.Where(r => r.Tags.Any(t => tags.Contains(t, StringComparer.Ordinal))).MinBy(r => r.Name, StringComparer.Ordinal);
    }

    /// <summary>The prompts of <paramref name="role"/> (empty when it has none).</summary>
    public IReadOnlyDictionary<string, string> PromptsOf(RoleDefinition? role) =>
        role is not null && RolePrompts.TryGetValue(role.Name, out var prompts) ? prompts : new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The phases task-graph-mcp knows by default.</summary>
    public static IReadOnlyList<string> DefaultPhases { get; } =
    [
        "deliver", "triage", "explore", "diagnose", "design", "plan", "implement", "test", "review",
        "security", "doc", "integrate", "deploy", "monitor", "optimize",
    ];

    /// <summary>The built-in state machine.</summary>
    public static IReadOnlyDictionary<string, StateDefinition> DefaultStates() => new Dictionary<string, StateDefinition>
    {
        ["pending"] = new() { Exits = ["assigned", "working", "cancelled"] },
        ["assigned"] = new() { Exits = ["working", "pending", "cancelled"] },
        ["working"] = new() { Exits = ["completed", "failed", "pending"], Timed = true },
        ["completed"] = new() { Exits = ["pending"] },
        ["failed"] = new() { Exits = ["pending"] },
        ["cancelled"] = new() { Exits = [] },
    };

    /// <summary>True when the state exists.</summary>
    public bool HasState(string state) => States.ContainsKey(state);

    /// <summary>True when time accrues in the state.</summary>
    public bool IsTimed(string state) => States.TryGetValue(state, out var s) && s.Timed;

    /// <summary>True when the state has no exits.</summary>
    public bool IsTerminal(string state) => States.TryGetValue(state, out var s) && s.Exits.Count == 0;

    /// <summary>True when a task in this state still blocks its dependents.</summary>
    public bool IsBlocking(string state) => Settings.BlockingStates.Contains(state);

    /// <summary>True when <paramref name="from"/> lists <paramref name="to"/> among its exits.</summary>
    public bool CanMove(string from, string to) => States.TryGetValue(from, out var s) && s.Exits.Contains(to);

    /// <summary>The state a claim moves to: the first timed state in declaration order, else "working".</summary>
    public string ClaimState => States.FirstOrDefault(s => s.Value.Timed).Key ?? "working";

    /// <summary>State names in declaration order.</summary>
    public IReadOnlyList<string> StateNames => [.. States.Keys];

    /// <summary>Checks internal consistency; returns the problems, each naming its key.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        var prefix = $"workflow '{Name}'";
        if (States.Count == 0)
        {
            problems.Add($"{prefix}: states: at least one state is required");
            return problems;
        }

        foreach (var (name, state) in States)
        {
            foreach (var exit in state.Exits)
            {
                if (!States.ContainsKey(exit))
                {
                    problems.Add($"{prefix}: states.{name}.exits: unknown state '{exit}'");
                }
            }
        }

        if (!States.Values.Any(s => s.Exits.Count == 0))
        {
            problems.Add($"{prefix}: states: at least one terminal state (no exits) is required");
        }

        if (!States.ContainsKey(Settings.InitialState))
        {
            problems.Add($"{prefix}: settings.initial_state: unknown state '{Settings.InitialState}'");
        }

        if (!States.ContainsKey(Settings.DisconnectState))
        {
            problems.Add($"{prefix}: settings.disconnect_state: unknown state '{Settings.DisconnectState}'");
        }
        else if (IsTimed(Settings.DisconnectState))
        {
            problems.Add($"{prefix}: settings.disconnect_state: '{Settings.DisconnectState}' must be an untimed state");
        }

        foreach (var blocking in Settings.BlockingStates)
        {
            if (!States.ContainsKey(blocking))
            {
                problems.Add($"{prefix}: settings.blocking_states: unknown state '{blocking}'");
            }
        }

        if (Settings.UnknownPhase is not ("allow" or "warn" or "reject"))
        {
            problems.Add($"{prefix}: settings.unknown_phase: must be allow, warn or reject, got '{Settings.UnknownPhase}'");
        }

        return problems;
    }
}
