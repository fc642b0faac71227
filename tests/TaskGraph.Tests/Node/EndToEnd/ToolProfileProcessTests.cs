using TaskGraph.Tests.Node.Hosting;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.EndToEnd;

/// <summary>
/// The tool profile chosen from outside the built executable: <c>serve --tools core</c> and <c>server.tools</c> in the
/// project config list the ten core tools over stdio; a bad profile name exits 2 with one line.
/// </summary>
public sealed class ToolProfileProcessTests
{
    private static readonly string[] CoreTools = ["claim", "connect", "get", "list_tasks", "mark_file", "mark_updates", "search", "thinking", "unmark_file", "update"];

    [Fact]
    public async Task Serve_with_tools_core_lists_the_core_tools_and_refuses_the_rest()
    {
        var ct = Timeout();
        await using var node = await NodeProcess.StartAsync(ct, "--tools", "core");
        var tools = await node.Client.ListToolsAsync(cancellationToken: ct);
        Assert.Equal(CoreTools, tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        var (code, message, _) = await node.CallExpectErrorAsync("link", new { from = "a", to = "b" }, ct);
        Assert.Equal("UNKNOWN_TOOL", code);
        Assert.Contains("--tools full", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_profile_in_the_project_config_applies_and_the_flag_beats_it()
    {
        var ct = Timeout();
        var config = Path.Combine(Path.GetTempPath(), $"tg-profile-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(config, "server:\n  tools: core\n", ct);
        try
        {
            await using (var core = await NodeProcess.StartAsync(ct, "--config", config))
            {
                Assert.Equal(CoreTools.Length, (await core.Client.ListToolsAsync(cancellationToken: ct)).Count);
            }

            await using var full = await NodeProcess.StartAsync(ct, "--config", config, "--tools", "full");
            Assert.Contains(await full.Client.ListToolsAsync(cancellationToken: ct), t => t.Name == "create_tree");
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Fact]
    public async Task An_unknown_profile_in_the_config_exits_2_with_one_line()
    {
        var (exit, _, stderr) = await NodeProcess.RunAsync(Timeout(), dir =>
        {
            Directory.CreateDirectory(Path.Combine(dir, "task-graph"));
            File.WriteAllText(Path.Combine(dir, "task-graph", "config.yaml"), "server:\n  tools: tiny\n");
        }, "serve");
        Assert.Equal(2, exit);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("server.tools", line, StringComparison.Ordinal);
    }
}
