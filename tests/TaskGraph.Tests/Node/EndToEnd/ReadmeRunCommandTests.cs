using System.Text.Json;
using ModelContextProtocol.Client;
using TaskGraph.Tests.Node.Hosting;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.EndToEnd;

/// <summary>
/// The README's first command, <c>dotnet run --project src/Node -- serve</c>, started from a project directory (with
/// <c>--no-build</c>, on the build the tests use): the node runs in that directory, keeps its state in
/// <c>./task-graph/</c> there, honours <c>./task-graph/config.yaml</c>, writes nothing but the protocol on stdout, and
/// two started at once both serve the same file.
/// </summary>
public sealed class ReadmeRunCommandTests
{
    [Fact]
    public async Task Dotnet_run_serves_from_the_callers_directory_with_its_project_config_and_two_at_once_share_the_state()
    {
        var ct = Timeout(120);
        var project = TestPaths.TempDir("readme-run");
        try
        {
            Directory.CreateDirectory(Path.Combine(project, "task-graph"));
            await File.WriteAllTextAsync(Path.Combine(project, "task-graph", "config.yaml"), "server:\n  claim_limit: 2\n", ct);

            var clients = await Task.WhenAll(StartAsync(project, ct), StartAsync(project, ct));
            try
            {
                var connect = await CallAsync(clients[0], "connect", new Dictionary<string, object?> { ["worker_id"] = "newcomer" }, ct);
                Assert.Equal(2, connect.GetProperty("config").GetProperty("claim_limit").GetInt32());
                Assert.Equal("task-graph/tasks.db", String(connect.GetProperty("paths"), "db_path"));
                await CallAsync(clients[0], "create", new Dictionary<string, object?> { ["id"] = "first-steps", ["title"] = "Read the README" }, ct);

                Assert.True(File.Exists(Path.Combine(project, "task-graph", "tasks.db")), "the state is not in ./task-graph/ of the directory the node was started from");
                var got = await CallAsync(clients[1], "get", new Dictionary<string, object?> { ["task"] = "first-steps" }, ct);
                Assert.Equal("Read the README", String(got, "title"));
            }
            finally
            {
                foreach (var client in clients)
                {
                    await client.DisposeAsync();
                }
            }
        }
        finally
        {
            Directory.Delete(project, recursive: true);
        }
    }

    private static Task<McpClient> StartAsync(string project, CancellationToken ct)
    {
        // The build the tests run on: src/Node/bin/<configuration>/<tfm>/taskgraph.dll.
        var configuration = new DirectoryInfo(Path.GetDirectoryName(NodeProcess.NodeDll)!).Parent!.Name;
        var env = NodeProcess.ChildEnvironment(project);
        env["DOTNET_NOLOGO"] = "1";
        env["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "readme-run",
            Command = "dotnet",
            Arguments = ["run", "--no-build", "-c", configuration, "--project", Path.Combine(TestPaths.RepoRoot, "src", "Node"), "--", "serve"],
            WorkingDirectory = project,
            EnvironmentVariables = env,
            ShutdownTimeout = TimeSpan.FromSeconds(5),
        });
        return McpClient.CreateAsync(transport, cancellationToken: ct);
    }

    private static async Task<JsonElement> CallAsync(McpClient client, string tool, Dictionary<string, object?> args, CancellationToken ct)
    {
        var result = await client.CallToolAsync(tool, args, cancellationToken: ct);
        var text = result.Content.OfType<ModelContextProtocol.Protocol.TextContentBlock>().Single().Text;
        Assert.True(result.IsError is not true, $"{tool} failed: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
