using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace TaskGraph.Tests.Node.Hosting;

/// <summary>
/// Runs the built <c>taskgraph</c> executable (<c>dotnet taskgraph.dll</c>) in a temp working directory with its own
/// user config dir and <c>--db &lt;temp&gt;/tasks.db</c>, and talks to it with a real MCP client over stdio.
/// </summary>
internal sealed class NodeProcess : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly bool _ownsWorkDir;
    private Process? _process;

    private NodeProcess(string workDir, bool ownsWorkDir)
    {
        WorkDir = workDir;
        _ownsWorkDir = ownsWorkDir;
    }

    /// <summary>The built node: src/Node/bin/&lt;config&gt;/net10.0/taskgraph.dll (it has config/ beside it), else the copy next to the tests.</summary>
    public static string NodeDll { get; } = FindNodeDll();

    /// <summary>The child's working directory (deleted on dispose by the node that created it).</summary>
    public string WorkDir { get; }

    /// <summary>The SQLite file the node serves: <c>WorkDir/tasks.db</c>.</summary>
    public string DbPath => Path.Combine(WorkDir, "tasks.db");

    /// <summary>The connected client.</summary>
    public McpClient Client { get; private set; } = null!;

    /// <summary>Lines the node wrote on stderr so far.</summary>
    public IReadOnlyCollection<string> Stderr => _stderr;

    /// <summary>The node's process id when the test started it itself (<see cref="StartKillableAsync"/>), else 0.</summary>
    public int ProcessId => _process?.Id ?? 0;

    /// <summary>Starts a node with <c>serve --db &lt;temp&gt;/tasks.db</c> plus <paramref name="extraArgs"/> and connects.</summary>
    public static Task<NodeProcess> StartAsync(CancellationToken cancellationToken, params string[] extraArgs) =>
        StartInAsync(new NodeProcess(NewWorkDir(), ownsWorkDir: true), cancellationToken, extraArgs);

    /// <summary>
    /// Starts a second node process in <paramref name="first"/>'s work dir, serving the SAME SQLite file, and connects
    /// its own MCP client. The work dir stays owned by <paramref name="first"/> (dispose this one first).
    /// </summary>
    public static Task<NodeProcess> StartSharingAsync(NodeProcess first, CancellationToken cancellationToken, params string[] extraArgs) =>
        StartInAsync(new NodeProcess(first.WorkDir, ownsWorkDir: false), cancellationToken, extraArgs);

    /// <summary>
    /// Starts a node like <see cref="StartAsync"/>, but as a child process this test owns (the MCP client talks over its
    /// stdin/stdout), so that <see cref="KillAsync"/> can kill -9 exactly that process.
    /// </summary>
    public static async Task<NodeProcess> StartKillableAsync(CancellationToken cancellationToken, params string[] extraArgs)
    {
        var node = new NodeProcess(NewWorkDir(), ownsWorkDir: true);
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = node.WorkDir,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])[NodeDll, "serve", "--db", node.DbPath, .. extraArgs])
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in ChildEnvironment(node.WorkDir))
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

        var process = new Process { StartInfo = psi };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                node._stderr.Enqueue(e.Data);
            }
        };
        process.Start();
        process.BeginErrorReadLine();
        node._process = process;
        try
        {
            var transport = new StreamClientTransport(process.StandardInput.BaseStream, process.StandardOutput.BaseStream);
            node.Client = await McpClient.CreateAsync(transport, cancellationToken: cancellationToken);
        }
        catch (Exception ex)
        {
            await node.DisposeAsync();
            throw new InvalidOperationException($"taskgraph did not start; stderr:\n{string.Join('\n', node._stderr)}", ex);
        }

        return node;
    }

    /// <summary>kill -9 of the node process (only for nodes started with <see cref="StartKillableAsync"/>); waits until it is gone.</summary>
    public async Task KillAsync()
    {
        var process = _process ?? throw new InvalidOperationException("Only a node started with StartKillableAsync can be killed.");
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: false);
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await process.WaitForExitAsync(cts.Token);
    }

    /// <summary>Calls a tool; returns whether it failed and its JSON body (the result or the error envelope).</summary>
    public Task<(bool IsError, JsonElement Body)> CallRawAsync(string tool, object? args, CancellationToken cancellationToken) =>
        Client.CallRawAsync(tool, args, cancellationToken);

    /// <summary>Calls a tool that must fail; returns the whole error envelope (code, message, field, details, blocked_by, suggestion).</summary>
    public Task<JsonElement> CallExpectErrorEnvelopeAsync(string tool, object? args, CancellationToken cancellationToken) =>
        Client.CallExpectErrorEnvelopeAsync(tool, args, cancellationToken);

    private static async Task<NodeProcess> StartInAsync(NodeProcess node, CancellationToken cancellationToken, string[] extraArgs)
    {
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "taskgraph-under-test",
            Command = "dotnet",
            Arguments = [NodeDll, "serve", "--db", node.DbPath, .. extraArgs],
            WorkingDirectory = node.WorkDir,
            EnvironmentVariables = ChildEnvironment(node.WorkDir),
            StandardErrorLines = node._stderr.Enqueue,
            ShutdownTimeout = TimeSpan.FromSeconds(5),
        });
        try
        {
            node.Client = await McpClient.CreateAsync(transport, cancellationToken: cancellationToken);
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException($"taskgraph did not start; stderr:\n{string.Join('\n', node._stderr)}", ex);
        }

        return node;
    }

    /// <summary>Calls a tool that must succeed; returns its JSON body.</summary>
    public Task<JsonElement> CallAsync(string tool, object? args, CancellationToken cancellationToken) =>
        Client.CallAsync(tool, args, cancellationToken);

    /// <summary>Calls a tool that must fail; returns the envelope's code, message and field.</summary>
    public Task<(string Code, string Message, string? Field)> CallExpectErrorAsync(string tool, object? args, CancellationToken cancellationToken) =>
        Client.CallExpectErrorAsync(tool, args, cancellationToken);

    /// <summary>Runs the executable to completion (for --help, --version, config errors) in a fresh temp dir; stdin is closed at once.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        CancellationToken cancellationToken, Action<string>? prepareWorkDir, params string[] args)
    {
        var (code, stdout, stderr, _) = await RunUntilExitAsync(cancellationToken, prepareWorkDir, TimeSpan.Zero, args);
        return (code, stdout, stderr);
    }

    /// <summary>
    /// Runs the executable to completion in a fresh temp dir and measures how long it ran. stdin is closed after
    /// <paramref name="closeStdinAfter"/>, or kept open until the process exits by itself when null (as a client would).
    /// </summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)> RunUntilExitAsync(
        CancellationToken cancellationToken, Action<string>? prepareWorkDir, TimeSpan? closeStdinAfter, params string[] args)
    {
        var workDir = NewWorkDir();
        try
        {
            prepareWorkDir?.Invoke(workDir);
            var psi = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = workDir,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            psi.ArgumentList.Add(NodeDll);
            foreach (var arg in args)
            {
                psi.ArgumentList.Add(arg);
            }

            foreach (var (key, value) in ChildEnvironment(workDir))
            {
                psi.Environment[key] = value;
            }

            var started = Stopwatch.GetTimestamp();
            using var process = Process.Start(psi)!;
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            if (closeStdinAfter is { } delay)
            {
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, cancellationToken);
                }

                process.StandardInput.Close();
            }

            try
            {
                await process.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            return (process.ExitCode, await stdout, await stderr, elapsed);
        }
        finally
        {
            Directory.Delete(workDir, recursive: true);
        }
    }

    /// <summary>
    /// Closes stdin of a node started with <see cref="StartKillableAsync"/> and waits (up to <paramref name="wait"/>)
    /// for it to leave by itself; returns its exit code, or null when it was still running (it is then killed).
    /// </summary>
    public async Task<int?> CloseStdinAndWaitForExitAsync(TimeSpan wait)
    {
        var process = _process ?? throw new InvalidOperationException("Only a node started with StartKillableAsync can be watched.");
        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // Already closed.
        }

        using var cts = new CancellationTokenSource(wait);
        try
        {
            await process.WaitForExitAsync(cts.Token);
            return process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Client is not null)
        {
            try
            {
                await Client.DisposeAsync();
            }
            catch (IOException) when (_process is { HasExited: true })
            {
                // The node was killed: its pipes are gone.
            }
        }

        await StopOwnedProcessAsync();

        if (!_ownsWorkDir)
        {
            return;
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

    private async Task StopOwnedProcessAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        // Closing stdin ends a stdio server; one that does not leave in time is killed.
        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // Already closed (the client closed it, or the node died).
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            using var killed = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(killed.Token);
        }

        process.Dispose();
        _process = null;
    }

    internal static Dictionary<string, object?> ToArguments(object? args) => ToolCalls.ToArguments(args);

    internal static Dictionary<string, string?> ChildEnvironment(string workDir)
    {
        // Keep the developer's own ~/.task-graph and TASK_GRAPH_* settings out of the node under test.
        var env = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("TASK_GRAPH_", StringComparison.Ordinal))
            .ToDictionary(k => k, _ => (string?)null);
        env["TASK_GRAPH_USER_DIR"] = Path.Combine(workDir, ".user");
        return env;
    }

    private static string NewWorkDir() => TestPaths.TempDir("node");

    private static string FindNodeDll()
    {
        // Tests run from tests/TaskGraph.Tests/bin/<config>/<tfm>/; the node is built to src/Node/bin/<config>/<tfm>/.
        var baseDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var candidates = new List<string>();
        if (baseDir.Parent is { } configDir)
        {
            candidates.Add(Path.Combine(TestPaths.RepoRoot, "src", "Node", "bin", configDir.Name, baseDir.Name, "taskgraph.dll"));
        }

        candidates.Add(Path.Combine(AppContext.BaseDirectory, "taskgraph.dll"));
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"taskgraph.dll not found; looked at: {string.Join(", ", candidates)}. Build src/Node first.");
    }
}
