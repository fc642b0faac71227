using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace TaskGraph.Tests.Nats;

/// <summary>
/// One real nats-server process on a loopback port with its own JetStream store directory. Kill is kill -9;
/// Restart reuses the same port and store directory. Dispose kills the process and deletes the directory.
/// </summary>
public sealed partial class NatsServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private readonly List<string> _arguments;
    private readonly bool _ownsDirectory;
    private readonly StringBuilder _output = new();
    private readonly Lock _outputLock = new();
    private Process? _process;
    private TaskCompletionSource<int> _ready = NewReady();

    private NatsServerProcess(string directory, List<string> arguments, bool ownsDirectory, string? name)
    {
        Directory = directory;
        _arguments = arguments;
        _ownsDirectory = ownsDirectory;
        Name = name ?? "nats";
    }

    /// <summary>The directory that holds the JetStream store (and config, ports file, log).</summary>
    public string Directory { get; }

    /// <summary>The server's name (server_name for cluster nodes).</summary>
    public string Name { get; }

    /// <summary>The client port, known once the server is ready.</summary>
    public int Port { get; private set; }

    /// <summary>The client URL.</summary>
    public string Url => "nats://127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>True while the process runs.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The process id of the running server.</summary>
    public int ProcessId => _process?.Id ?? 0;

    /// <summary>What the server printed so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_outputLock)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The server's version, from the banner it printed at start.</summary>
    public Version ServerVersion =>
        Regex.Match(Output, @"Version:\s+v?(\d+\.\d+\.\d+)") is { Success: true } match
            ? Version.Parse(match.Groups[1].Value)
            : throw new InvalidOperationException("nats-server printed no version banner:\n" + Output);

    /// <summary>Starts a single JetStream server on a random loopback port with a fresh temp store directory.</summary>
    public static async Task<NatsServerProcess> StartAsync(CancellationToken cancellationToken = default)
    {
        var directory = CreateTempDirectory();
        var server = new NatsServerProcess(
            directory, ["-js", "-a", "127.0.0.1", "-p", "-1", "-sd", directory, "--ports_file_dir", directory], ownsDirectory: true, name: null);
        try
        {
            await server.StartProcessAsync(cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>Starts a server from a config file (fixed ports given in it), with <paramref name="directory"/> owned and deleted on dispose.</summary>
    public static async Task<NatsServerProcess> StartWithConfigAsync(string configFile, string directory, string name, CancellationToken cancellationToken = default)
    {
        var server = new NatsServerProcess(directory, ["-c", configFile], ownsDirectory: true, name);
        try
        {
            await server.StartProcessAsync(cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>A fresh directory under the system temp directory.</summary>
    public static string CreateTempDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "tg-nats-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>A loopback port that was free a moment ago (bind to port 0, read it, release it).</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>The nats-server binary; fails with install instructions when it is missing.</summary>
    public static string FindBinary()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        var candidates = path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/local/bin", "/usr/bin", "/usr/local/sbin"])
            .Select(dir => Path.Combine(dir, "nats-server"));
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("nats-server not found: install it with `apt-get install -y nats-server`");
    }

    /// <summary>kill -9: the server gets no chance to flush or say goodbye.</summary>
    public async Task KillAsync()
    {
        var process = _process;
        if (process is null || process.HasExited)
        {
            return;
        }

        process.Kill(entireProcessTree: false);
        await process.WaitForExitAsync();
    }

    /// <summary>Starts the server again on the same port with the same store directory.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await KillAsync();
        _process?.Dispose();
        _process = null;

        // From now on the port is fixed: clients reconnect to the address they know.
        var portIndex = _arguments.IndexOf("-p");
        if (portIndex >= 0)
        {
            _arguments[portIndex + 1] = Port.ToString(CultureInfo.InvariantCulture);
        }

        _ready = NewReady();
        await StartProcessAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process?.Dispose();
        _process = null;
        if (_ownsDirectory)
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp dir is not worth failing a test run.
            }
        }
    }

    private static TaskCompletionSource<int> NewReady() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task StartProcessAsync(CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(FindBinary())
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in _arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var ready = _ready;
        var port = 0;
        DataReceivedEventHandler onLine = (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (_outputLock)
            {
                _output.AppendLine(e.Data);
            }

            var listening = ClientListenRegex().Match(e.Data);
            if (listening.Success)
            {
                port = int.Parse(listening.Groups[1].Value, CultureInfo.InvariantCulture);
            }
            else if (e.Data.Contains("Server is ready", StringComparison.Ordinal))
            {
                ready.TrySetResult(port);
            }
        };
        process.ErrorDataReceived += onLine;
        process.OutputDataReceived += onLine;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"nats-server {Name} exited during start:\n{Output}"));
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        _process = process;

        try
        {
            Port = await ready.Task.WaitAsync(StartTimeout, cancellationToken);
        }
        catch (TimeoutException ex)
        {
            throw new InvalidOperationException($"nats-server {Name} did not become ready within {StartTimeout}:\n{Output}", ex);
        }
    }

    [GeneratedRegex(@"Listening for client connections on [^\s]*:(\d+)")]
    private static partial Regex ClientListenRegex();
}
