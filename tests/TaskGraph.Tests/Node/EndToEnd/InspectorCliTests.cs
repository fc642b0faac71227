using System.Diagnostics;
using System.Text.Json;
using TaskGraph.Tests.Node.Hosting;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.EndToEnd;

/// <summary>
/// The MCP Inspector CLI (<c>@modelcontextprotocol/inspector --cli</c>, pinned in tests/inspector/package.json) against
/// the built executable: <c>tools/list</c> with <c>--strict</c> reports no schema portability warning or error, and a
/// <c>tools/call</c> built from the schema works. Needs <c>npm ci --prefix tests/inspector</c> (Node.js 20+); without it
/// the test fails and says so.
/// </summary>
public sealed class InspectorCliTests
{
    private static readonly string InspectorDir = Path.Combine(TestPaths.RepoRoot, "tests", "inspector");

    [Fact]
    public async Task The_inspector_lists_every_tool_with_portable_schemas()
    {
        var (exit, stdout, stderr) = await InspectAsync(["--method", "tools/list"]);
        Assert.True(exit == 0, $"inspector exited {exit}:\n{stderr}");
        var problems = stderr.Split('\n').Where(l => l.StartsWith("Warning:", StringComparison.Ordinal) || l.StartsWith("Error:", StringComparison.Ordinal)).ToList();
        Assert.True(problems.Count == 0, $"schema portability problems:\n{stderr}");
        var tools = JsonDocument.Parse(stdout).RootElement.GetProperty("tools").EnumerateArray().ToList();
        Assert.Equal(42, tools.Count);
        var claim = tools.Single(t => t.GetProperty("name").GetString() == "claim");
        Assert.Equal(["worker_id"], claim.GetProperty("inputSchema").GetProperty("required").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task The_inspector_calls_create_and_a_typed_integer_argument()
    {
        var (exit, stdout, stderr) = await InspectAsync(["--method", "tools/call", "--tool-name", "create", "--tool-arg", "title=x"]);
        Assert.True(exit == 0, $"inspector exited {exit}:\n{stderr}");
        var text = JsonDocument.Parse(stdout).RootElement.GetProperty("content")[0].GetProperty("text").GetString()!;
        var task = JsonDocument.Parse(text).RootElement;
        Assert.Equal(("x", "pending"), (String(task, "title"), String(task, "status")));

        // The inspector exits 5 when the tool answered with isError.
        (exit, stdout, stderr) = await InspectAsync(["--method", "tools/call", "--tool-name", "list_tasks", "--tool-arg", "limit=2000"]);
        Assert.True(exit == 5, $"inspector exited {exit}:\n{stderr}");
        var result = JsonDocument.Parse(stdout).RootElement;
        Assert.True(result.GetProperty("isError").GetBoolean());
        var envelope = JsonDocument.Parse(result.GetProperty("content")[0].GetProperty("text").GetString()!).RootElement;
        Assert.Equal(("INVALID_FIELD_VALUE", "limit"), (String(envelope, "code"), String(envelope, "field")));
    }

    [Fact]
    public async Task The_inspector_lists_and_calls_the_tools_over_http_with_a_bearer_token_and_is_refused_without_one()
    {
        var ct = Timeout(120);
        await using var node = await Http.HttpNode.StartAsync(ct);
        var secret = await node.CreateTokenAsync("inspector", "admin", ct);
        string[] target = [node.Endpoint.ToString(), "--transport", "http", "--header", "Authorization: Bearer " + secret];

        var (exit, stdout, stderr) = await InspectAsync(["--method", "tools/list"], target);
        Assert.True(exit == 0, $"inspector exited {exit}:\n{stderr}");
        Assert.Equal(42, JsonDocument.Parse(stdout).RootElement.GetProperty("tools").GetArrayLength());

        (exit, stdout, stderr) = await InspectAsync(["--method", "tools/call", "--tool-name", "create", "--tool-arg", "title=over http"], target);
        Assert.True(exit == 0, $"inspector exited {exit}:\n{stderr}");
        Assert.Contains("over http", stdout, StringComparison.Ordinal);

        (exit, _, _) = await InspectAsync(["--method", "tools/list"], [node.Endpoint.ToString(), "--transport", "http"]);
        Assert.NotEqual(0, exit);
    }

    /// <summary>Runs the Inspector CLI against <paramref name="target"/> (default: a fresh stdio node).</summary>
    private static async Task<(int Exit, string Stdout, string Stderr)> InspectAsync(string[] method, string[]? target = null)
    {
        var inspector = Path.Combine(InspectorDir, "node_modules", ".bin", "mcp-inspector");
        Assert.True(
            File.Exists(inspector),
            $"The MCP Inspector CLI is not installed at {inspector}. Install it with: npm ci --prefix tests/inspector (needs Node.js and npm; apt-get install -y nodejs npm).");
        var workDir = TestPaths.TempDir("inspector");
        try
        {
            var psi = new ProcessStartInfo(inspector)
            {
                WorkingDirectory = workDir,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            // --strict (schema portability check) only goes with tools/list.
            string[] strict = method.Contains("tools/list") ? ["--strict"] : [];
            target ??= ["dotnet", NodeProcess.NodeDll, "serve", "--db", Path.Combine(workDir, "tasks.db")];
            foreach (var arg in (string[])["--cli", .. strict, .. target, .. method])
            {
                psi.ArgumentList.Add(arg);
            }

            psi.Environment["TASK_GRAPH_USER_DIR"] = Path.Combine(workDir, ".user");
            using var process = Process.Start(psi)!;
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            var ct = Timeout(120);
            try
            {
                await process.WaitForExitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"the inspector did not finish in 120 s; stderr:\n{await stderr}");
            }

            return (process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            Directory.Delete(workDir, recursive: true);
        }
    }
}
