using System.Text.Json;
using TaskGraph.Core.Configuration;
using TaskGraph.Node.Configuration;

namespace TaskGraph.Tests.Node.Mcp;

/// <summary>Issue 10 item 5: the advertised schemas say what a call needs, in types every client understands.</summary>
public sealed class ToolSchemaTests
{
    /// <summary>
    /// The required parameters of tool-catalogue.md (<c>*</c>), transcribed here so the test needs no file outside the
    /// repository. Deliberate difference: claim's task is optional (claim without a task takes the next ready task).
    /// </summary>
    public static TheoryData<string, string[]> CatalogueRequired => new()
    {
        { "disconnect", ["worker_id"] },
        { "create_tree", ["tree"] },
        { "get", ["task"] },
        { "update", ["worker_id", "task"] },
        { "delete", ["worker_id", "task"] },
        { "rename", ["worker_id", "task", "new_id"] },
        { "scan", ["task"] },
        { "claim", ["worker_id"] },
        { "thinking", ["agent", "thought"] },
        { "task_history", ["task"] },
        { "link", ["from", "to"] },
        { "unlink", ["from", "to"] },
        { "relink", ["prev_from", "prev_to", "from", "to"] },
        { "mark_file", ["agent", "file"] },
        { "unmark_file", ["agent"] },
        { "mark_updates", ["agent"] },
        { "log_metrics", ["agent", "task"] },
        { "get_metrics", ["task"] },
        { "attach", ["task", "type"] },
        { "attachments", ["task"] },
        { "detach", ["agent", "task", "type"] },
        { "check_gates", ["task"] },
        { "add_overlay", ["worker_id", "overlay"] },
        { "remove_overlay", ["worker_id", "overlay"] },
        { "query", ["sql"] },
        { "get_schema", [] },
        { "search", ["query"] },
        { "connect", [] },
        { "create", [] },
        { "list_tasks", [] },
        { "list_agents", [] },
        { "cleanup_stale", [] },
        { "list_marks", [] },
        { "project_history", [] },
        { "list_workflows", [] },
        { "list_skills", [] },
        { "get_skill", ["name"] },

        // Not in the catalogue: issue 12's long-poll for clients that ignore notifications, and the audit trail.
        { "wait_for_events", [] },
        { "audit", [] },

        // task-graph-mcp 0.5.0 additions (the anchor moved; issue 13).
        { "bulk_update", ["worker_id"] },
        { "get_prompts", [] },
        { "status_summary", [] },
    };

    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    [Theory]
    [MemberData(nameof(CatalogueRequired))]
    public async Task Required_lists_exactly_the_catalogue_required_parameters(string tool, string[] required)
    {
        var schemas = await SchemasAsync();
        Assert.True(schemas.TryGetValue(tool, out var schema), $"tool {tool} is not listed");
        var listed = schema.TryGetProperty("required", out var r) ? r.EnumerateArray().Select(e => e.GetString()!).ToArray() : [];
        Assert.Equal(required.Order(), listed.Order());
    }

    [Fact]
    public async Task Every_property_has_one_type_or_typed_branches_and_no_null_default()
    {
        var schemas = await SchemasAsync();
        Assert.Equal(CatalogueRequired.Count, schemas.Count);
        var problems = new List<string>();
        foreach (var (tool, schema) in schemas)
        {
            Assert.Equal("object", schema.GetProperty("type").GetString());
            foreach (var property in schema.GetProperty("properties").EnumerateObject())
            {
                var where = $"{tool}.{property.Name}";
                var p = property.Value;
                if (p.TryGetProperty("default", out var d) && d.ValueKind == JsonValueKind.Null)
                {
                    problems.Add($"{where} has \"default\": null");
                }

                if (!p.TryGetProperty("description", out _))
                {
                    problems.Add($"{where} has no description");
                }

                var branches = p.TryGetProperty("anyOf", out var anyOf) ? [.. anyOf.EnumerateArray()] : new List<JsonElement> { p };
                foreach (var branch in branches)
                {
                    if (!branch.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
                    {
                        problems.Add($"{where} lacks a single type: {p.GetRawText()}");
                    }
                    else if (type.GetString() == "array" && !(branch.TryGetProperty("items", out var items) && items.TryGetProperty("type", out _)))
                    {
                        problems.Add($"{where} is an array without typed items");
                    }
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public async Task String_or_array_integers_and_defaults_are_spelled_out()
    {
        var schemas = await SchemasAsync();
        var tags = schemas["create"].GetProperty("properties").GetProperty("tags");
        Assert.Equal(["string", "array"], tags.GetProperty("anyOf").EnumerateArray().Select(b => b.GetProperty("type").GetString()));
        var priority = schemas["create"].GetProperty("properties").GetProperty("priority");
        Assert.Equal(("integer", 5), (priority.GetProperty("type").GetString(), priority.GetProperty("default").GetInt32()));
        var limit = schemas["list_tasks"].GetProperty("properties").GetProperty("limit");
        Assert.Equal((0, 1000), (limit.GetProperty("minimum").GetInt32(), limit.GetProperty("maximum").GetInt32()));
        var offset = schemas["list_tasks"].GetProperty("properties").GetProperty("offset");
        Assert.Equal(int.MaxValue, offset.GetProperty("maximum").GetInt64());
        Assert.Equal("blocks", schemas["link"].GetProperty("properties").GetProperty("type").GetProperty("default").GetString());
        var attachments = schemas["update"].GetProperty("properties").GetProperty("attachments");
        Assert.Equal(("array", "object"), (attachments.GetProperty("type").GetString(), attachments.GetProperty("items").GetProperty("type").GetString()));
    }

    private static async Task<Dictionary<string, JsonElement>> SchemasAsync()
    {
        await using var node = await InMemoryNode.StartAsync(LoadedConfig.Of(new TaskGraphConfig()), Timeout);
        var tools = await node.Client.ListToolsAsync(cancellationToken: Timeout);
        return tools.Where(t => !t.Name.StartsWith("probe_", StringComparison.Ordinal))
            .ToDictionary(t => t.Name, t => t.ProtocolTool.InputSchema.Clone(), StringComparer.Ordinal);
    }
}
