using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using TaskGraph.Tests.Node.Hosting;

namespace TaskGraph.Tests.Node.Http;

/// <summary>
/// The built <c>taskgraph</c> executable serving MCP Streamable HTTP: <c>dotnet taskgraph.dll serve --http
/// http://127.0.0.1:0</c> on a SQLite file in its own temp work dir (or on a NATS graph), with the real URL read from the
/// stderr line <c>listening on http://127.0.0.1:NNNNN/mcp</c>. Runs the <c>token</c> CLI against the same store. Dispose
/// kills exactly the process it started (by its PID) and deletes the work dir.
/// </summary>
internal sealed partial class HttpNode : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Process? _process;

    private HttpNode(string workDir, string[] storeArgs)
    {
        WorkDir = workDir;
        StoreArgs = storeArgs;
    }

    /// <summary>The child's working directory (its own temp dir, deleted on dispose).</summary>
    public string WorkDir { get; }

    /// <summary>The store options the node was started with and the token CLI is run with.</summary>
    public IReadOnlyList<string> StoreArgs { get; }

    /// <summary>The MCP endpoint, <c>http://127.0.0.1:PORT/mcp</c>.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>The node's base address, <c>http://127.0.0.1:PORT</c> (no trailing slash).</summary>
    public string BaseUrl => Endpoint.GetLeftPart(UriPartial.Authority);

    /// <summary>The port the node listens on.</summary>
    public int Port => Endpoint.Port;

    /// <summary>Lines the node wrote on stderr so far.</summary>
    public IReadOnlyCollection<string> Stderr => _stderr;

    /// <summary>The node's process id.</summary>
    public int ProcessId => _process?.Id ?? 0;

    /// <summary>Starts a node on <c>WorkDir/tasks.db</c> with <c>serve --http http://127.0.0.1:0</c> plus <paramref name="extraArgs"/>.</summary>
    public static Task<HttpNode> StartAsync(CancellationToken cancellationToken, params string[] extraArgs)
    {
        var workDir = TestPaths.TempDir("http");
        return StartInAsync(new HttpNode(workDir, ["--db", Path.Combine(workDir, "tasks.db")]), extraArgs, cancellationToken);
    }

    /// <summary>Starts a node on the NATS store at <paramref name="natsUrl"/>, serving <paramref name="graph"/>.</summary>
    public static Task<HttpNode> StartOnNatsAsync(string natsUrl, string graph, CancellationToken cancellationToken, params string[] extraArgs) =>
        StartInAsync(new HttpNode(TestPaths.TempDir("http-nats"), ["--nats", natsUrl, "--graph", graph]), extraArgs, cancellationToken);

    /// <summary>Runs <c>taskgraph &lt;args&gt; &lt;store args&gt;</c> to completion in this node's work dir and environment.</summary>
    public Task<CliResult> RunCliAsync(CancellationToken cancellationToken, params string[] args) =>
        RunCliAsync(WorkDir, [.. args, .. StoreArgs], cancellationToken);

    /// <summary>
    /// <c>token create --name NAME --role ROLE [extra]</c> on this node's store; returns the secret (the first stdout line).
    /// Fails the test when the CLI does not exit 0 or prints no <c>tgk_</c> secret.
    /// </summary>
    public async Task<string> CreateTokenAsync(string name, string role, CancellationToken cancellationToken, params string[] extraArgs)
    {
        var result = await RunCliAsync(cancellationToken, ["token", "create", "--name", name, "--role", role, .. extraArgs]);
        Assert.True(result.ExitCode == 0, $"token create {name} exited {result.ExitCode}:\n{result.Stderr}");
        var secret = result.Stdout.Split('\n')[0].Trim();
        Assert.True(secret.StartsWith("tgk_", StringComparison.Ordinal), $"token create printed no tgk_ secret first:\n{result.Stdout}");
        return secret;
    }

    /// <summary><c>token revoke NAME</c> on this node's store; fails the test unless it exits 0.</summary>
    public async Task RevokeTokenAsync(string name, CancellationToken cancellationToken)
    {
        var result = await RunCliAsync(cancellationToken, "token", "revoke", name);
        Assert.True(result.ExitCode == 0, $"token revoke {name} exited {result.ExitCode}:\n{result.Stderr}");
    }

    /// <summary><c>token list --json</c> on this node's store: the JSON array it printed.</summary>
    public async Task<JsonElement> ListTokensAsync(CancellationToken cancellationToken)
    {
        var result = await RunCliAsync(cancellationToken, "token", "list", "--json");
        Assert.True(result.ExitCode == 0, $"token list --json exited {result.ExitCode}:\n{result.Stderr}");
        var list = JsonDocument.Parse(result.Stdout).RootElement.Clone();
        Assert.Equal(JsonValueKind.Array, list.ValueKind);
        return list;
    }

    /// <summary>An MCP client over Streamable HTTP with <c>Authorization: Bearer <paramref name="secret"/></c>.</summary>
    public Task<HttpMcpSession> ConnectAsync(string secret, CancellationToken cancellationToken, string? protocolVersion = null) =>
        HttpMcpSession.ConnectAsync(Endpoint, secret, protocolVersion, cancellationToken);

    /// <summary>
    /// Runs the executable to completion with <paramref name="args"/> in <paramref name="workDir"/> with the child
    /// environment of <see cref="NodeProcess"/>; stdin is closed at once.
    /// </summary>
    public static async Task<CliResult> RunCliAsync(string workDir, string[] args, CancellationToken cancellationToken)
    {
        var psi = NewStartInfo(workDir, args);
        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"taskgraph {string.Join(' ', args)} did not exit in time");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>What the node wrote on stderr, for failure messages.</summary>
    public string StderrText() => string.Join('\n', _stderr);

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }

                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                await process.WaitForExitAsync(cts.Token);
            }
            catch (InvalidOperationException)
            {
                // The process was never started or is already reaped.
            }

            process.Dispose();
            _process = null;
        }

        try
        {
            Directory.Delete(WorkDir, recursive: true);
        }
        catch (IOException)
        {
            // The child may still be releasing files; the temp dir is cleaned by the OS eventually.
        }
    }

    /// <summary>Starts a node on <c>WorkDir/tasks.db</c> listening on <paramref name="listen"/> (e.g. an https URL).</summary>
    public static Task<HttpNode> StartListeningAsync(string listen, CancellationToken cancellationToken, params string[] extraArgs)
    {
        var workDir = TestPaths.TempDir("http");
        return StartInAsync(new HttpNode(workDir, ["--db", Path.Combine(workDir, "tasks.db")]), extraArgs, cancellationToken, listen);
    }

    private static async Task<HttpNode> StartInAsync(HttpNode node, string[] extraArgs, CancellationToken cancellationToken, string listen = "http://127.0.0.1:0")
    {
        var psi = NewStartInfo(node.WorkDir, ["serve", "--http", listen, .. node.StoreArgs, .. extraArgs]);
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            node._stderr.Enqueue(e.Data);
            if (ListeningLine().Match(e.Data) is { Success: true } match)
            {
                node._listening.TrySetResult(new Uri(match.Groups["url"].Value));
            }
        };

        // The node writes protocol or nothing on stdout in HTTP mode; drain it so it can never block on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.Exited += (_, _) => node._listening.TrySetException(
            new InvalidOperationException("taskgraph exited before it listened"));
        process.Start();
        node._process = process;
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StartTimeout);
            node.Endpoint = await node._listening.Task.WaitAsync(timeout.Token);
        }
        catch (Exception ex)
        {
            // Give the stderr reader a moment to deliver the last lines (the reason it failed).
            await Task.Delay(200, CancellationToken.None);
            var stderr = node.StderrText();
            await node.DisposeAsync();
            throw new InvalidOperationException(
                $"taskgraph serve --http did not print 'listening on http://127.0.0.1:NNNNN/mcp'; stderr:\n{stderr}", ex);
        }

        return node;
    }

    internal static ProcessStartInfo NewStartInfo(string workDir, string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workDir,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(NodeProcess.NodeDll);
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in NodeProcess.ChildEnvironment(workDir))
        {
            if (value is null)
            {
                psi.Environment.Remove(key);
            }
            else
            {
                psi.Environment[key] = value;
            }
        }

        return psi;
    }

    [GeneratedRegex(@"listening on (?<url>https?://127\.0\.0\.1:\d+/mcp)")]
    private static partial Regex ListeningLine();
}
