using System.Text.Json;
using ModelContextProtocol.Protocol;
using TaskGraph.Tests.Node.Hosting;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.EndToEnd;

/// <summary>
/// Issue 10 item 6 through the executable: compact answers without nulls or defaults, no host paths (connect's paths and
/// mark names are relative to the project root), whole ids in markdown, instructions that name only existing tools, and
/// update with inline attachments.
/// </summary>
public sealed class AnswerShapeTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private readonly NodeProcess _node = fixture.Node;

    [Fact]
    public async Task Connect_shows_paths_relative_to_the_project_root_and_no_nulls()
    {
        var ct = Timeout();
        var text = await TextAsync("connect", new { worker_id = "as-paths" }, ct);
        AssertCompact(text);
        var body = JsonDocument.Parse(text).RootElement;
        var paths = body.GetProperty("paths");
        Assert.Equal("tasks.db", String(paths, "db_path")); // --db <workdir>/tasks.db, node started in <workdir>
        Assert.DoesNotContain(_node.WorkDir, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Path.GetTempPath(), text, StringComparison.Ordinal);
        Assert.False(body.TryGetProperty("workflow", out _));
        Assert.False(body.TryGetProperty("tags", out _));
        Assert.Equal("{\"kind\":\"sqlite\"}", body.GetProperty("store").GetRawText());
    }

    [Fact]
    public async Task Task_answers_omit_defaults_and_nulls()
    {
        var ct = Timeout();
        var created = await TextAsync("create", new { id = "as-default", title = "Defaults only" }, ct);
        AssertCompact(created);
        Assert.Equal(["id", "title", "status", "created_at"], JsonDocument.Parse(created).RootElement.EnumerateObject().Select(p => p.Name));
        var got = await TextAsync("get", new { task = "as-default" }, ct);
        AssertCompact(got);
        foreach (var absent in new[] { "priority", "tags", "cost_usd", "description", "worker_id", "metrics", "time_actual_ms" })
        {
            Assert.False(JsonDocument.Parse(got).RootElement.TryGetProperty(absent, out _), $"get shows {absent}: {got}");
        }

        var list = await TextAsync("list_tasks", new { limit = 1 }, ct);
        AssertCompact(list);
    }

    [Fact]
    public async Task Marks_are_named_relative_to_the_project_root()
    {
        var ct = Timeout();
        await _node.CallAsync("connect", new { worker_id = "as-marker", force = true }, ct);
        var text = await TextAsync("mark_file", new { agent = "as-marker", file = new[] { "src/./app/../main.cs", Path.Combine(_node.WorkDir, "docs", "x.md"), "../outside.txt" } }, ct);
        AssertCompact(text);
        Assert.Equal(["src/main.cs", "docs/x.md", "../outside.txt"], Strings(JsonDocument.Parse(text).RootElement, "marked"));
        Assert.DoesNotContain(_node.WorkDir, text, StringComparison.Ordinal);
        var listed = await TextAsync("list_marks", new { files = "src/main.cs" }, ct);
        Assert.Contains("\"file\":\"src/main.cs\"", listed, StringComparison.Ordinal);
        await _node.CallAsync("unmark_file", new { agent = "as-marker", file = "*" }, ct);
    }

    [Fact]
    public async Task Markdown_lists_show_whole_ids_that_get_accepts()
    {
        var ct = Timeout();
        const string id = "as-a-rather-long-task-identifier";
        await _node.CallAsync("create", new { id, title = "Long id", tags = new[] { "as-md" } }, ct);
        var body = await _node.CallAsync("list_tasks", new { tags_all = "as-md", format = "markdown" }, ct);
        Assert.Contains($"`{id}`", String(body, "content"), StringComparison.Ordinal);
        Assert.Equal(id, String(await _node.CallAsync("get", new { task = id }, ct), "id"));
    }

    [Fact]
    public async Task Update_with_inline_attachments_lists_them_on_the_task()
    {
        var ct = Timeout();
        await _node.CallAsync("connect", new { worker_id = "as-attach", force = true }, ct);
        await _node.CallAsync("create", new { id = "as-attach-task", title = "Attach" }, ct);
        var updated = await _node.CallAsync(
            "update", new { worker_id = "as-attach", task = "as-attach-task", title = "New", attachments = new[] { new { type = "note", content = "x" } } }, ct);
        var added = Assert.Single(updated.GetProperty("attachments_added").EnumerateArray());
        Assert.Equal(("note", 0, "text/plain"), (String(added, "type"), added.GetProperty("sequence").GetInt32(), String(added, "mime_type")));
        var got = await _node.CallAsync("get", new { task = "as-attach-task" }, ct);
        Assert.Equal("New", String(got, "title"));
        Assert.Equal(1, got.GetProperty("attachment_counts").GetProperty("text/plain").GetInt32());
    }

    [Fact]
    public async Task Instructions_teach_the_loop_with_tools_that_exist()
    {
        var ct = Timeout();
        var instructions = _node.Client.ServerInstructions ?? string.Empty;
        var tools = (await _node.Client.ListToolsAsync(cancellationToken: ct)).Select(t => t.Name).ToHashSet();
        var named = System.Text.RegularExpressions.Regex.Matches(instructions, @"\b([a-z_]+)\(").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(named);
        Assert.All(named, n => Assert.Contains(n, tools));
        Assert.Contains("get_skill(\"basics\")", instructions, StringComparison.Ordinal);
        var order = new[] { "connect(", "claim(", "thinking(", "mark_file(", "update(" }.Select(s => instructions.IndexOf(s, StringComparison.Ordinal)).ToList();
        Assert.All(order, i => Assert.True(i >= 0));
        Assert.Equal(order.Order(), order);
        Assert.Contains("status=\"completed\"", instructions, StringComparison.Ordinal);
    }

    private async Task<string> TextAsync(string tool, object args, CancellationToken ct)
    {
        var result = await _node.Client.CallToolAsync(tool, NodeProcess.ToArguments(args), cancellationToken: ct);
        var text = Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;
        Assert.True(result.IsError is not true, text);
        return text;
    }

    /// <summary>One line, no indentation, no null anywhere.</summary>
    private static void AssertCompact(string json)
    {
        Assert.DoesNotContain('\n', json);
        Assert.DoesNotContain(": ", json, StringComparison.Ordinal);
        Assert.DoesNotContain(":null", json, StringComparison.Ordinal);
    }
}
