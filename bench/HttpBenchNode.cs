using System.Diagnostics;
using System.Text.RegularExpressions;
using ModelContextProtocol.Client;

namespace TaskGraph.Bench;

/// <summary>
/// The built node serving Streamable HTTP for a bench: <c>serve --http http://127.0.0.1:0</c> on SQLite in a temp dir,
/// with an admin token made by <c>taskgraph token create</c>; clients connect with it. Dispose kills the node.
/// </summary>
internal sealed partial class HttpBenchNode : IAsyncDisposable
{
    private readonly Process _node;
    private readonly string _dir;

    private HttpBenchNode(Process node, string dir, Uri endpoint, string secret)
    {
        _node = node;
        _dir = dir;
        Endpoint = endpoint;
        Secret = secret;
    }

    /// <summary>The MCP endpoint.</summary>
    public Uri Endpoint { get; }

    /// <summary>The admin token's secret.</summary>
    public string Secret { get; }

    /// <summary>The node's process id (for its RSS).</summary>
    public int ProcessId => _node.Id;

    /// <summary>Makes the token, starts the node and waits for its listening line.</summary>
    public static async Task<HttpBenchNode> StartAsync(CancellationToken cancellationToken)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"tg-bench-http-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        var db = Path.Combine(dir, "tasks.db");
        using (var cli = Start(dir, ["token", "create", "--name", "bench", "--role", "admin", "--db", db]))
        {
            var stdout = await cli.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            await cli.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            if (cli.ExitCode != 0)
            {
                throw new InvalidOperationException($"taskgraph token create exited {cli.ExitCode}");
            }

            var node = Start(dir, ["serve", "--http", "http://127.0.0.1:0", "--db", db]);
            var url = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            node.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null && ListeningUrl().Match(e.Data) is { Success: true } m)
                {
                    url.TrySetResult(m.Groups[1].Value);
                }
            };
            node.BeginErrorReadLine();
            var endpoint = await url.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
            return new HttpBenchNode(node, dir, new Uri(endpoint), stdout.Trim());
        }
    }

    /// <summary>A client with the admin token; <paramref name="protocolVersion"/> null is the client's newest.</summary>
    public async Task<McpClient> ConnectAsync(string? protocolVersion, CancellationToken cancellationToken)
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = Endpoint,
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + Secret },
        });
        var options = protocolVersion is null ? null : new McpClientOptions { ProtocolVersion = protocolVersion };
        return await McpClient.CreateAsync(transport, options, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _node.Kill(entireProcessTree: true);
        await _node.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        _node.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static Process Start(string dir, string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(NodeRssScenario.NodeDll());
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["TASK_GRAPH_USER_DIR"] = Path.Combine(dir, ".user");
        return Process.Start(psi) ?? throw new InvalidOperationException("could not start the node");
    }

    [GeneratedRegex(@"listening on (http://[^ ]+/mcp)")]
    private static partial Regex ListeningUrl();
}
