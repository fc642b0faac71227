using System.Diagnostics;

namespace TaskGraph.Node.Swarm;

/// <summary>
/// Runs the fault command once, through <c>/bin/sh -c</c>, its stdout sent to our stderr (stdout holds the report). No
/// pipes: a server the command restarts in the background must not keep the run waiting for their end.
/// </summary>
internal sealed class FaultHook(string command)
{
    private Task<int>? _run;

    /// <summary>Whether it has been started.</summary>
    public bool Started => _run is not null;

    /// <summary>Starts the command (once); later calls do nothing.</summary>
    public void Start()
    {
        _run ??= RunAsync();
    }

    /// <summary>Waits for the command; null when it never started.</summary>
#pragma warning disable VSTHRD003 // the run is this hook's own task
    public async Task<int?> WaitAsync() => _run is null ? null : await _run.ConfigureAwait(false);
#pragma warning restore VSTHRD003

    private async Task<int> RunAsync()
    {
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec 1>&2\n" + command);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("/bin/sh did not start");
        await process.WaitForExitAsync().ConfigureAwait(false);
        return process.ExitCode;
    }
}
