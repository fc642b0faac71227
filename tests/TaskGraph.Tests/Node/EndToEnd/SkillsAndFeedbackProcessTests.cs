using System.Text.Json;
using ModelContextProtocol.Protocol;
using TaskGraph.Tests.Node.Hosting;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.EndToEnd;

/// <summary>
/// The built executable over stdio: the skills compiled into it, the docs resources, and the feedback tools turned on
/// and off by editing the config file of the running node.
/// </summary>
public sealed class SkillsAndFeedbackProcessTests
{
    [Fact]
    public async Task The_executable_serves_its_built_in_skills_and_the_docs_resources()
    {
        var ct = Timeout(90);
        await using var node = await NodeProcess.StartAsync(ct);

        var tools = (await node.Client.ListToolsAsync(cancellationToken: ct)).Select(t => t.Name).ToList();
        Assert.Contains("list_skills", tools);
        Assert.Contains("get_skill", tools);
        Assert.DoesNotContain("give_feedback", tools);

        var basics = await node.CallAsync("get_skill", new { name = "task-graph-basics" }, ct);
        Assert.Equal(("basics", "embedded"), (String(basics, "name"), String(basics, "source")));
        Assert.Contains("thinking(agent, thought)", String(basics, "content"), StringComparison.Ordinal);

        var read = await node.Client.ReadResourceAsync("docs://index", cancellationToken: ct);
        var index = JsonDocument.Parse(Assert.IsType<TextResourceContents>(Assert.Single(read.Contents)).Text).RootElement;
        var uris = index.GetProperty("resources").EnumerateArray().Select(r => String(r, "uri")).ToList();
        Assert.Contains("docs://skills/migration", uris);
        Assert.Contains("docs://workflows/kanban", uris);

        var (code, message, _) = await node.CallExpectErrorAsync("give_feedback", new { message = "off by default" }, ct);
        Assert.Equal("UNKNOWN_TOOL", code);
        Assert.StartsWith("Unknown tool: give_feedback", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Feedback_enabled_in_the_config_file_is_recorded_beside_the_database_and_a_reload_turns_it_off()
    {
        var ct = Timeout(90);
        var dir = TestPaths.TempDir("feedback-config");
        var file = Path.Combine(dir, "config.yaml");
        await File.WriteAllTextAsync(file, "feedback:\n  enabled: true\n", ct);
        try
        {
            await using var node = await NodeProcess.StartAsync(ct, "--config", file);
            Assert.DoesNotContain(node.Stderr, l => l.Contains("feedback.enabled", StringComparison.Ordinal));
            Assert.Contains(await node.Client.ListToolsAsync(cancellationToken: ct), t => t.Name == "give_feedback");

            var answer = await node.CallAsync("give_feedback", new { message = "mark_updates told me in time", category = "tool", sentiment = "positive", tool_name = "mark_updates" }, ct);
            Assert.Equal(("recorded", "feedback.md"), (String(answer, "status"), String(answer, "file")));
            var text = await File.ReadAllTextAsync(Path.Combine(node.WorkDir, "feedback.md"), ct);
            Assert.StartsWith("# Agent Feedback\n", text, StringComparison.Ordinal);
            Assert.Contains("| tool | positive\n\n- **Tool:** mark_updates\n\nmark_updates told me in time\n", text, StringComparison.Ordinal);
            Assert.Equal(text, String(await node.CallAsync("list_feedback", null, ct), "content"));

            await File.WriteAllTextAsync(file, "feedback:\n  enabled: false\n", ct);
            await UntilAsync(async () => !(await node.Client.ListToolsAsync(cancellationToken: ct)).Any(t => t.Name == "give_feedback"), "the feedback tools gone after the edit", ct);
            Assert.Equal("UNKNOWN_TOOL", (await node.CallExpectErrorAsync("list_feedback", null, ct)).Code);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
