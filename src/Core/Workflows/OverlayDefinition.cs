namespace TaskGraph.Core.Workflows;

/// <summary>
/// An overlay (<c>overlay-&lt;name&gt;.yaml</c>): additions laid over a worker's workflow, in the order the worker lists
/// its overlays (see <see cref="WorkflowOverlays"/>).
/// </summary>
public sealed record OverlayDefinition
{
    /// <summary>The overlay's name.</summary>
    public required string Name { get; init; }

    /// <summary>What it is for.</summary>
    public string? Description { get; init; }

    /// <summary>States to add, or to extend: exits are unioned, timed is or-ed, prompts are appended.</summary>
    public IReadOnlyDictionary<string, StateDefinition> States { get; init; } = new Dictionary<string, StateDefinition>(StringComparer.Ordinal);

    /// <summary>Which states named <see cref="States"/> give timed explicitly (an unset timed never un-times a state).</summary>
    public IReadOnlySet<string> TimedGiven { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Phase prompts to append.</summary>
    public IReadOnlyDictionary<string, PromptPair> PhasePrompts { get; init; } = new Dictionary<string, PromptPair>(StringComparer.Ordinal);

    /// <summary>Combo prompts to append.</summary>
    public IReadOnlyDictionary<string, PromptPair> Combos { get; init; } = new Dictionary<string, PromptPair>(StringComparer.Ordinal);

    /// <summary>Gates to add to the workflow's.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<GateDefinition>> Gates { get; init; } = new Dictionary<string, IReadOnlyList<GateDefinition>>(StringComparer.Ordinal);

    /// <summary>Roles to add (a role the workflow already has stays as it is).</summary>
    public IReadOnlyDictionary<string, RoleDefinition> Roles { get; init; } = new Dictionary<string, RoleDefinition>(StringComparer.Ordinal);

    /// <summary>Role prompts to append, per role and key.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> RolePrompts { get; init; } = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);

    /// <summary>A new initial state (ignored when it is "pending").</summary>
    public string? InitialState { get; init; }

    /// <summary>Blocking states to add.</summary>
    public IReadOnlyList<string> BlockingStates { get; init; } = [];
}
