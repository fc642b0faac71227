using System.Diagnostics;
using System.Text.Json;

namespace TaskGraph.Tests.Node.Http;

/// <summary>
/// Runs tests/clients/http-smoke.mjs (the official MCP TypeScript SDK, pinned in tests/clients/package.json) with
/// <c>node</c>. A missing Node.js or a missing <c>npm ci --prefix tests/clients</c> fails the test and says how to install.
/// </summary>
internal static class TypeScriptSdk
{
    private static readonly string ClientsDir = Path.Combine(TestPaths.RepoRoot, "tests", "clients");

    /// <summary>Runs the smoke script against <paramref name="endpoint"/> with <paramref name="secret"/>; returns its JSON summary.</summary>
    public static async Task<JsonElement> RunSmokeAsync(Uri endpoint, string secret, CancellationToken cancellationToken)
    {
        var node = FindOnPath("node");
        Assert.True(node is not null, "node (Node.js 18+) is not on PATH. Install it with: apt-get install -y nodejs npm, then npm ci --prefix tests/clients");
        var sdk = Path.Combine(ClientsDir, "node_modules", "@modelcontextprotocol", "sdk", "package.json");
        Assert.True(File.Exists(sdk), $"The MCP TypeScript SDK is not installed at {Path.GetDirectoryName(sdk)}. Install it with: npm ci --prefix tests/clients");

        var psi = new ProcessStartInfo(node!)
        {
            WorkingDirectory = ClientsDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { Path.Combine(ClientsDir, "http-smoke.mjs"), endpoint.ToString(), secret })
        {
            psi.ArgumentList.Add(arg);
        }

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
            throw new TimeoutException("http-smoke.mjs did not finish in time");
        }

        var output = await stdout;
        Assert.True(process.ExitCode == 0, $"http-smoke.mjs exited {process.ExitCode}:\n{await stderr}\n{output}");
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
        return JsonDocument.Parse(line).RootElement.Clone();
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
