using System.Diagnostics;
using System.Text.RegularExpressions;

namespace TaskGraph.Bench;

/// <summary>
/// A private <c>nats-server -js</c> on a random loopback port with its own store directory, killed by its Process and
/// the directory deleted on dispose.
/// </summary>
internal sealed partial class NatsServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private NatsServer(Process process, string directory, string url)
    {
        _process = process;
        _directory = directory;
        Url = url;
    }

    /// <summary>The client URL.</summary>
    public string Url { get; }

    /// <summary>Starts the server and waits until it reports ready.</summary>
    public static Task<NatsServer> StartAsync(CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("taskgraph-bench-nats-").FullName;
        return StartAsync(["-js", "-a", "127.0.0.1", "-p", "-1", "-sd", directory], directory, cancellationToken);
    }

    /// <summary>Starts a server with <paramref name="arguments"/> (e.g. <c>-c FILE</c>); <paramref name="directory"/> is deleted with it.</summary>
    public static async Task<NatsServer> StartAsync(IReadOnlyList<string> arguments, string directory, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("nats-server")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("nats-server did not start");
        var url = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        string? listening = null;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                url.TrySetException(new InvalidOperationException("nats-server exited before it was ready"));
                return;
            }

            var match = ListeningLine().Match(e.Data);
            if (match.Success)
            {
                listening = "nats://127.0.0.1:" + match.Groups[1].Value;
            }
            else if (e.Data.Contains("Server is ready", StringComparison.Ordinal) && listening is not null)
            {
                url.TrySetResult(listening);
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            var ready = await url.Task.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken).ConfigureAwait(false);
            return new NatsServer(process, directory, ready);
        }
        catch
        {
            await new NatsServer(process, directory, string.Empty).DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    [GeneratedRegex(@"Listening for client connections on [^:]+:(\d+)")]
    private static partial Regex ListeningLine();
}
