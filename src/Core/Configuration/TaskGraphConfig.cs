using TaskGraph.Core.Workflows;

namespace TaskGraph.Core.Configuration;

/// <summary>The merged, validated configuration the rules run on. Replaced whole on reload, never mutated.</summary>
public sealed record TaskGraphConfig
{
    /// <summary>Server settings.</summary>
    public ServerSettings Server { get; init; } = new();

    /// <summary>Dependency types by name.</summary>
    public IReadOnlyDictionary<string, DependencyTypeDefinition> Dependencies { get; init; } = DependencyTypeDefinition.Defaults();

    /// <summary>
    /// The dependency type a <c>parent</c> argument creates: <c>contains</c> when the config has it as a vertical type,
    /// else the first vertical type (config order), else <c>contains</c> (which then fails as an unknown type).
    /// </summary>
    public string ParentType =>
        Dependencies.TryGetValue("contains", out var contains) && contains.IsVertical ? "contains"
        : Dependencies.FirstOrDefault(d => d.Value.IsVertical).Key ?? "contains";

    /// <summary>Auto-advance.</summary>
    public AutoAdvanceSettings AutoAdvance { get; init; } = new();

    /// <summary>Parent auto-rollup.</summary>
    public AutoRollupSettings AutoRollup { get; init; } = new();

    /// <summary>Id generation.</summary>
    public IdSettings Ids { get; init; } = new();

    /// <summary>Tags.</summary>
    public TagSettings Tags { get; init; } = new();

    /// <summary>Attachment types and the unknown-type policy.</summary>
    public AttachmentSettings Attachments { get; init; } = new();

    /// <summary>The base workflow every worker without a named one uses.</summary>
    public WorkflowDefinition DefaultWorkflow { get; init; } = new();

    /// <summary>Every state of the default workflow, then those only named workflows add (a list may ask for any of them).</summary>
    public IReadOnlyList<string> StateNames =>
        [.. DefaultWorkflow.StateNames.Concat(Workflows.Values.SelectMany(w => w.StateNames)).Distinct(StringComparer.Ordinal)];

    /// <summary>True when any workflow of the config times <paramref name="state"/>: history accrues time in it whoever moved the task.</summary>
    public bool IsTimedAnywhere(string state) => DefaultWorkflow.IsTimed(state) || Workflows.Values.Any(w => w.IsTimed(state));

    /// <summary>Named workflows (from <c>workflow-&lt;name&gt;.yaml</c>), already merged over the defaults.</summary>
    public IReadOnlyDictionary<string, WorkflowDefinition> Workflows { get; init; } = new Dictionary<string, WorkflowDefinition>();

    /// <summary>The workflow for a worker: its named one when known, else the default.</summary>
    public WorkflowDefinition WorkflowFor(string? name) =>
        name is not null && Workflows.TryGetValue(name, out var wf) ? wf : DefaultWorkflow;

    /// <summary>Overlays by name (from <c>overlay-&lt;name&gt;.yaml</c>).</summary>
    public IReadOnlyDictionary<string, OverlayDefinition> Overlays { get; init; } = new Dictionary<string, OverlayDefinition>();

    /// <summary>
    /// A worker's effective workflow: its named workflow (else the default) with its overlays laid over it in order;
    /// overlays this config does not know are skipped.
    /// </summary>
    public WorkflowDefinition WorkflowFor(string? name, IReadOnlyList<string>? overlays)
    {
        var known = overlays?.Where(Overlays.ContainsKey).ToList() ?? [];
        if (known.Count == 0)
        {
            return WorkflowFor(name);
        }

        return WorkflowOverlays.Apply(WorkflowFor(name), known.Select(o => Overlays[o]));
    }

    /// <summary>Checks the whole config; each problem names its key.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Server.ClaimLimit < 1)
        {
            problems.Add($"server.claim_limit: must be at least 1, got {Server.ClaimLimit}");
        }

        if (Server.StaleTimeoutSeconds < 1)
        {
            problems.Add($"server.stale_timeout_seconds: must be at least 1, got {Server.StaleTimeoutSeconds}");
        }

        if (Server.DefaultFormat is not ("json" or "markdown"))
        {
            problems.Add($"server.default_format: must be json or markdown, got '{Server.DefaultFormat}'");
        }

        if (Server.DefaultPageSize < 1)
        {
            problems.Add($"server.default_page_size: must be at least 1, got {Server.DefaultPageSize}");
        }

        if (Server.Store is not ("sqlite" or "nats"))
        {
            problems.Add($"server.store: must be sqlite or nats, got '{Server.Store}'");
        }

        if (Dependencies.Count == 0)
        {
            problems.Add("dependencies.definitions: at least one dependency type is required");
        }

        foreach (var (name, def) in Dependencies)
        {
            if (def.Display is not ("horizontal" or "vertical"))
            {
                problems.Add($"dependencies.definitions.{name}.display: must be horizontal or vertical, got '{def.Display}'");
            }

            if (def.Blocks is not ("none" or "start" or "completion"))
            {
                problems.Add($"dependencies.definitions.{name}.blocks: must be none, start or completion, got '{def.Blocks}'");
            }
        }

        if (!Dependencies.Values.Any(d => d.BlocksStart))
        {
            problems.Add("dependencies.definitions: at least one type must have blocks: start");
        }

        if (Tags.UnknownTag is not ("allow" or "warn" or "reject"))
        {
            problems.Add($"tags.unknown_tag: must be allow, warn or reject, got '{Tags.UnknownTag}'");
        }

        if (Ids.TaskIdWords is < 1 or > 8)
        {
            problems.Add($"ids.task_id_words: must be 1..8, got {Ids.TaskIdWords}");
        }

        if (Ids.AgentIdWords is < 1 or > 8)
        {
            problems.Add($"ids.agent_id_words: must be 1..8, got {Ids.AgentIdWords}");
        }

        problems.AddRange(DefaultWorkflow.Validate());
        foreach (var wf in Workflows.Values)
        {
            problems.AddRange(wf.Validate());
        }

        if (AutoAdvance.Enabled && (AutoAdvance.TargetState is null || !DefaultWorkflow.HasState(AutoAdvance.TargetState)))
        {
            problems.Add($"auto_advance.target_state: unknown state '{AutoAdvance.TargetState}'");
        }
        else if (AutoAdvance.Enabled && DefaultWorkflow.IsTimed(AutoAdvance.TargetState!))
        {
            // A timed state means "someone is working on it": advancing there would leave it working with no owner.
            problems.Add($"auto_advance.target_state: '{AutoAdvance.TargetState}' is a timed state; auto-advance needs an untimed one");
        }

        return problems;
    }
}
