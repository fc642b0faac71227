using System.ComponentModel;
using System.Text.Json.Nodes;
using ModelContextProtocol.Server;
using TaskGraph.Node.Configuration;
using TaskGraph.Node.Skills;

namespace TaskGraph.Node.Resources;

/// <summary><c>docs://index</c>: every documentation resource this node serves (skills, workflows, overlays), by URI.</summary>
[McpServerResourceType]
internal sealed class DocsIndexResources(NodeConfig config)
{
    [McpServerResource(UriTemplate = "docs://index", Name = "docs-index", MimeType = "application/json")]
    [Description("The URIs of every skill, workflow and overlay, with descriptions.")]
    public string Index()
    {
        var loaded = config.Loaded;
        var entries = new JsonArray
        {
            Entry("docs://skills/list", "list", "Every skill"),
            Entry("docs://workflows/list", "list", "Every workflow, and the default one"),
            Entry("docs://overlays/list", "list", "Every overlay"),
        };
        foreach (var skill in new SkillCatalog(config).List())
        {
            entries.Add(Entry(SkillResources.Uri(skill.Name), "skill", skill.Description));
        }

        foreach (var workflow in loaded.WorkflowFiles.Values.OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            entries.Add(Entry(WorkflowResources.WorkflowUri(workflow.Name), "workflow", workflow.Description));
        }

        foreach (var overlay in loaded.Overlays.Values.OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            entries.Add(Entry(WorkflowResources.OverlayUri(overlay.Name), "overlay", overlay.Description));
        }

        return ResourceJson.Serialize(new JsonObject { ["resources"] = entries, ["count"] = entries.Count });
    }

    private static JsonObject Entry(string uri, string kind, string? description) =>
        new() { ["uri"] = uri, ["kind"] = kind, ["description"] = description };
}
