using System.ComponentModel;
using System.Text.Json.Nodes;
using ModelContextProtocol.Server;
using TaskGraph.Core.Workflows;
using TaskGraph.Node.Configuration;

namespace TaskGraph.Node.Resources;

/// <summary>
/// The workflows and overlays as <c>docs://</c> resources: the names <c>list_workflows</c> shows, and each one's states,
/// settings and phases as this node loaded them (merged over the built-in state machine).
/// </summary>
[McpServerResourceType]
internal sealed class WorkflowResources(NodeConfig config)
{
    /// <summary>The name of the workflow a worker follows when it names none (when no file takes that name).</summary>
    public const string DefaultName = "default";

    /// <summary>A workflow's resource URI.</summary>
    public static string WorkflowUri(string name) => $"docs://workflows/{name}";

    /// <summary>An overlay's resource URI.</summary>
    public static string OverlayUri(string name) => $"docs://overlays/{name}";

    [McpServerResource(UriTemplate = "docs://workflows/list", Name = "workflows-list", MimeType = "application/json")]
    [Description("The workflows this node knows, and the default one.")]
    public string Workflows()
    {
        var loaded = config.Loaded;
        var workflows = Entries(loaded.WorkflowFiles, WorkflowUri);
        return ResourceJson.Serialize(new JsonObject
        {
            ["workflows"] = workflows,
            ["default_workflow"] = loaded.Config.Server.DefaultWorkflow ?? DefaultName,
            ["count"] = workflows.Count,
        });
    }

    [McpServerResource(UriTemplate = "docs://workflows/{name}", Name = "workflow", MimeType = "application/json")]
    [Description("One workflow: settings, states (exits, timed, prompts), phases.")]
    public string Workflow(string name)
    {
        var c = config.Current;
        var wf = c.Workflows.TryGetValue(name, out var named) ? named
            : name == DefaultName ? c.DefaultWorkflow
            : throw UnknownResource.For(WorkflowUri(name));
        return ResourceJson.Serialize(new JsonObject
        {
            ["name"] = name,
            ["description"] = wf.Description,
            ["default"] = name == (c.Server.DefaultWorkflow ?? DefaultName),
            ["settings"] = new JsonObject
            {
                ["initial_state"] = wf.Settings.InitialState,
                ["disconnect_state"] = wf.Settings.DisconnectState,
                ["assigned_state"] = wf.Settings.AssignedState,
                ["completed_state"] = wf.Settings.CompletedState,
                ["blocking_states"] = ResourceJson.Strings(wf.Settings.BlockingStates),
                ["unknown_phase"] = wf.Settings.UnknownPhase,
            },
            ["states"] = States(wf.States, timedGiven: null),
            ["phases"] = ResourceJson.Strings(wf.Phases),
            ["phase_prompt_count"] = wf.PhasePrompts.Count,
            ["gate_count"] = wf.Gates.Values.Sum(g => g.Count),
            ["combo_count"] = wf.Combos.Count,
        });
    }

    [McpServerResource(UriTemplate = "docs://overlays/list", Name = "overlays-list", MimeType = "application/json")]
    [Description("The overlays this node knows.")]
    public string Overlays()
    {
        var overlays = Entries(config.Loaded.Overlays, OverlayUri);
        return ResourceJson.Serialize(new JsonObject { ["overlays"] = overlays, ["count"] = overlays.Count });
    }

    [McpServerResource(UriTemplate = "docs://overlays/{name}", Name = "overlay", MimeType = "application/json")]
    [Description("One overlay: the states, gates and prompts it adds to a workflow.")]
    public string Overlay(string name)
    {
        var overlay = config.Current.Overlays.GetValueOrDefault(name) ?? throw UnknownResource.For(OverlayUri(name));
        return ResourceJson.Serialize(new JsonObject
        {
            ["name"] = name,
            ["description"] = overlay.Description,
            ["states"] = States(overlay.States, overlay.TimedGiven),
            ["initial_state"] = overlay.InitialState,
            ["blocking_states"] = overlay.BlockingStates.Count == 0 ? null : ResourceJson.Strings(overlay.BlockingStates),
            ["gates"] = overlay.Gates.Count == 0 ? null : ResourceJson.Strings(overlay.Gates.Keys),
            ["phase_prompt_count"] = overlay.PhasePrompts.Count,
            ["combo_count"] = overlay.Combos.Count,
        });
    }

    /// <summary>Named files as <c>[{name, description, uri}]</c>, sorted by name.</summary>
    public static JsonArray Entries(IReadOnlyDictionary<string, ConfigDescriptor> files, Func<string, string> uri) =>
    [
        .. files.Values.OrderBy(d => d.Name, StringComparer.Ordinal)
            .Select(d => (JsonNode)new JsonObject { ["name"] = d.Name, ["description"] = d.Description, ["uri"] = uri(d.Name) }),
    ];

    private static JsonObject States(IReadOnlyDictionary<string, StateDefinition> states, IReadOnlySet<string>? timedGiven) =>
        ResourceJson.Map(states, (name, state) => new JsonObject
        {
            ["exits"] = ResourceJson.Strings(state.Exits),
            ["timed"] = timedGiven is null || timedGiven.Contains(name) ? state.Timed : null,
            ["has_enter_prompt"] = !string.IsNullOrEmpty(state.EnterPrompt),
            ["has_exit_prompt"] = !string.IsNullOrEmpty(state.ExitPrompt),
        });
}
