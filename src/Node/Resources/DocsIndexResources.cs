using System.ComponentModel;
using System.Text.Json.Nodes;
using ModelContextProtocol.Server;
using TaskGraph.Node.Configuration;
using TaskGraph.Node.Skills;

namespace TaskGraph.Node.Resources;

/// <summary>
/// <c>docs://index</c>: every documentation resource this node serves (skills, workflows, overlays, the project's
/// <c>docs/**/*.md</c>), by URI; <c>docs://{path}</c> reads one of the project's docs and <c>docs://search/{q}</c>
/// searches them (<see cref="ProjectDocs"/>).
/// </summary>
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

        foreach (var path in Docs().List())
        {
            entries.Add(Entry("docs://" + path, "doc", null));
        }

        return ResourceJson.Serialize(new JsonObject { ["resources"] = entries, ["count"] = entries.Count });
    }

    [McpServerResource(UriTemplate = "docs://search/{q}", Name = "docs-search", MimeType = "application/json")]
    [Description("Search the project's docs/**/*.md: every term (url-encoded, space-separated) must match, case-insensitive; path matches first, at most 20 files, 5 lines each with context.")]
    public string Search(string q) => ResourceJson.Serialize(Docs().Search(Uri.UnescapeDataString(q)));

    [McpServerResource(UriTemplate = "docs://{+path}", Name = "doc", MimeType = "text/markdown")]
    [Description("One markdown file under the project's docs/ (path relative to it, [A-Za-z0-9._/-], .md or .markdown).")]
    public string Read(string path)
    {
        if (path.StartsWith("search/", StringComparison.Ordinal))
        {
            return Search(path["search/".Length..]);
        }

        return Docs().Read(path) ?? throw UnknownResource.For("docs://" + path);
    }

    private ProjectDocs Docs() => new(config.Loaded.ProjectDirectory);

    private static JsonObject Entry(string uri, string kind, string? description) =>
        new() { ["uri"] = uri, ["kind"] = kind, ["description"] = description };
}
