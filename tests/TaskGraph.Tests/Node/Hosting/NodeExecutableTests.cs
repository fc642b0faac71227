using System.Diagnostics;
using System.Text;
using System.Text.Json;
using TaskGraph.Node.Hosting;

namespace TaskGraph.Tests.Node.Hosting;

/// <summary>End to end: the built executable, driven over stdio.</summary>
public sealed class NodeExecutableTests
{
    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    [Fact]
    public async Task Version_prints_the_assembly_version_and_exits_0()
    {
        var (code, stdout, _) = await NodeProcess.RunAsync(Timeout, null, "--version");
        Assert.Equal(0, code);
        Assert.Equal(NodeHost.Version, stdout.Trim());
    }

    [Fact]
    public async Task Help_lists_the_options_and_exits_0()
    {
        var (code, stdout, _) = await NodeProcess.RunAsync(Timeout, null, "--help");
        Assert.Equal(0, code);
        foreach (var option in new[] { "serve", "--db", "--config", "--nats", "--graph", "--stale-timeout", "--claim-limit", "--verbose", "--log-level", "--version" })
        {
            Assert.Contains(option, stdout);
        }
    }

    [Fact]
    public async Task A_bad_config_exits_2_with_one_line_naming_the_key_and_no_stack_trace()
    {
        var (code, stdout, stderr) = await NodeProcess.RunAsync(Timeout, dir =>
        {
            Directory.CreateDirectory(Path.Combine(dir, "task-graph"));
            File.WriteAllText(Path.Combine(dir, "task-graph", "config.yaml"), "server:\n  claim_limit: lots\n");
        }, "serve");

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("server.claim_limit: expected an integer, got 'lots'", line);
        Assert.DoesNotContain("Exception", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public async Task A_missing_config_file_exits_2()
    {
        var (code, _, stderr) = await NodeProcess.RunAsync(Timeout, null, "--config", "nowhere.yaml");
        Assert.Equal(2, code);
        Assert.Contains("--config: config file not found", stderr);
    }

    [Fact]
    public async Task Tools_list_has_every_catalogue_tool_with_a_description_on_the_tool_and_every_parameter()
    {
        var ct = Timeout;
        await using var node = await NodeProcess.StartAsync(ct);
        Assert.Equal("taskgraph", node.Client.ServerInfo?.Name);
        Assert.Equal(NodeHost.Version, node.Client.ServerInfo?.Version);
        Assert.Contains("claim(worker_id)", node.Client.ServerInstructions ?? string.Empty);
        Assert.Contains("get_skill(\"basics\")", node.Client.ServerInstructions ?? string.Empty);

        var tools = await node.Client.ListToolsAsync(cancellationToken: ct);
        var tool = Assert.Single(tools, t => t.Name == "list_workflows");
        Assert.False(string.IsNullOrWhiteSpace(tool.Description));
        string[] expected =
        [
            "connect", "disconnect", "list_agents", "cleanup_stale", "thinking", "create", "create_tree", "get", "list_tasks",
            "update", "claim", "delete", "rename", "scan", "search", "link", "unlink", "relink", "task_history",
            "project_history", "mark_file", "unmark_file", "list_marks", "mark_updates", "list_workflows",
        ];
        Assert.Empty(expected.Except(tools.Select(t => t.Name)));
        foreach (var tl in tools)
        {
            Assert.False(string.IsNullOrWhiteSpace(tl.Description), $"{tl.Name} has no description");
            foreach (var property in tl.JsonSchema.GetProperty("properties").EnumerateObject())
            {
                Assert.True(property.Value.TryGetProperty("description", out var d) && d.GetString()!.Length > 0,
                    $"{tl.Name}.{property.Name} has no description");
            }
        }
    }

    [Fact]
    public async Task List_workflows_answers_with_the_shipped_workflows_sorted()
    {
        var ct = Timeout;
        await using var node = await NodeProcess.StartAsync(ct);
        var body = await node.CallAsync("list_workflows", null, ct);

        Assert.Equal(8, body.GetProperty("count").GetInt32());
        Assert.Equal(["git-worktree", "hierarchical", "kanban", "push", "relay", "solo", "sprint", "swarm"], body.GetProperty("workflows").EnumerateArray().Select(w => w.GetProperty("name").GetString()));
        Assert.All(body.GetProperty("workflows").EnumerateArray(), w => Assert.NotEmpty(w.GetProperty("description").GetString()!));
        Assert.Equal(["git", "troubleshooting"], body.GetProperty("overlays").EnumerateArray().Select(o => o.GetProperty("name").GetString()));
        Assert.All(body.GetProperty("overlays").EnumerateArray(), o => Assert.NotEmpty(o.GetProperty("description").GetString()!));
    }

    [Fact]
    public async Task Unknown_tools_and_wrong_argument_types_come_back_as_typed_errors()
    {
        var ct = Timeout;
        await using var node = await NodeProcess.StartAsync(ct);

        var (code, message, _) = await node.CallExpectErrorAsync("no_such_tool", null, ct);
        Assert.Equal(("UNKNOWN_TOOL", "Unknown tool: no_such_tool"), (code, message));

        var (code2, _, field) = await node.CallExpectErrorAsync("list_workflows", new { filter = 5 }, ct);
        Assert.Equal(("INVALID_FIELD_VALUE", "filter"), (code2, field));
    }

    [Fact]
    public async Task Stdout_carries_only_protocol_messages_and_logs_go_to_stderr()
    {
        var ct = Timeout;
        var workDir = TestPaths.TempDir("stdout");
        try
        {
            var psi = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = workDir,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                StandardInputEncoding = new UTF8Encoding(false),
            };
            foreach (var arg in new[] { NodeProcess.NodeDll, "serve", "-v", "--db", Path.Combine(workDir, "tasks.db") })
            {
                psi.ArgumentList.Add(arg);
            }

            psi.Environment["TASK_GRAPH_USER_DIR"] = Path.Combine(workDir, ".user");
            using var process = Process.Start(psi)!;
            var stderr = process.StandardError.ReadToEndAsync(ct);

            string[] requests =
            [
                """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""",
                """{"jsonrpc":"2.0","method":"notifications/initialized"}""",
                """{"jsonrpc":"2.0","id":2,"method":"tools/list"}""",
                """{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"list_workflows","arguments":{}}}""",
            ];
            foreach (var request in requests)
            {
                await process.StandardInput.WriteLineAsync(request.AsMemory(), ct);
            }

            await process.StandardInput.FlushAsync(ct);

            // Every stdout line must be a JSON-RPC message; read until all three requests are answered (in any order), then close stdin
            // (which stops the host) and check whatever else was written.
            var ids = new HashSet<int>();
            while (ids.Count < 3 && await process.StandardOutput.ReadLineAsync(ct) is { } line)
            {
                ids.UnionWith(ParseProtocolLine(line));
            }

            process.StandardInput.Close();
            foreach (var line in (await process.StandardOutput.ReadToEndAsync(ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                ids.UnionWith(ParseProtocolLine(line));
            }

            await process.WaitForExitAsync(ct);
            Assert.Equal([1, 2, 3], ids.Order());
            var err = await stderr;
            Assert.Contains("serving MCP over stdio", err);
        }
        finally
        {
            Directory.Delete(workDir, recursive: true);
        }
    }

    private static IEnumerable<int> ParseProtocolLine(string line)
    {
        using var doc = JsonDocument.Parse(line);
        Assert.Equal("2.0", doc.RootElement.GetProperty("jsonrpc").GetString());
        return doc.RootElement.TryGetProperty("id", out var id) ? [id.GetInt32()] : [];
    }
}
