using System.Globalization;
using TaskGraph.Tests.Nats;

namespace TaskGraph.Tests.Node.Hosting;

/// <summary>
/// End to end, the built executable: an outage or a bad config at start ends the process quickly with exactly one line
/// on stderr (no stack trace) and a distinct exit code: 2 for config, 3 for a store it cannot open.
/// </summary>
public sealed class NodeStartupFailureTests
{
    // Far above what any case here needs on a loaded machine, far below the minutes the node once spent retrying.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(45);

    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(120)).Token;

    [Fact]
    public async Task An_unreachable_nats_exits_3_after_the_configured_connect_timeout_with_one_line_naming_the_redacted_url()
    {
        var port = NatsServerProcess.FreeLoopbackPort();
        var (code, stdout, stderr, elapsed) = await NodeProcess.RunUntilExitAsync(Timeout, dir => WriteConfig(dir,
            "server:\n  nats:\n    connect_timeout_seconds: 2\n"), closeStdinAfter: null,
            "serve", "--nats", $"nats://agent:hunter2@127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");

        var line = AssertOneLineFailure(3, code, stdout, stderr, elapsed);
        Assert.Contains($"cannot reach NATS at nats://***@127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)} within 2 s", line);
        Assert.DoesNotContain("hunter2", stderr);
        Assert.True(elapsed >= TimeSpan.FromSeconds(2), $"gave up after {elapsed}, before the 2 s connect timeout");
    }

    [Fact]
    public async Task The_connect_timeout_can_be_given_on_the_command_line()
    {
        var port = NatsServerProcess.FreeLoopbackPort();
        var (code, stdout, stderr, elapsed) = await NodeProcess.RunUntilExitAsync(Timeout, null, closeStdinAfter: null,
            "serve", "--nats", $"nats://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", "--nats-connect-timeout", "1");

        Assert.Contains("within 1 s", AssertOneLineFailure(3, code, stdout, stderr, elapsed));
    }

    [Fact]
    public async Task A_nats_server_without_jetstream_exits_3_at_once_with_one_line()
    {
        var ct = Timeout;
        var dir = NatsServerProcess.CreateTempDirectory();
        var config = Path.Combine(dir, "no-js.conf");
        await File.WriteAllTextAsync(config, "listen: 127.0.0.1:-1\n", ct);
        await using var server = await NatsServerProcess.StartWithConfigAsync(config, dir, "no-js", ct);

        var (code, stdout, stderr, elapsed) = await NodeProcess.RunUntilExitAsync(ct, null, closeStdinAfter: null,
            "serve", "--nats", server.Url, "--nats-connect-timeout", "60");

        var line = AssertOneLineFailure(3, code, stdout, stderr, elapsed);
        Assert.Contains($"NATS at {server.Url} has no JetStream", line);
    }

    [Fact]
    public async Task A_user_denied_the_jetstream_api_exits_3_at_once_with_one_line()
    {
        var ct = Timeout;
        var dir = NatsServerProcess.CreateTempDirectory();
        var config = Path.Combine(dir, "denied.conf");
        await File.WriteAllTextAsync(config, $$"""
            listen: 127.0.0.1:-1
            jetstream { store_dir: "{{Path.Combine(dir, "js")}}" }
            authorization {
              users = [
                { user: reader, password: letmein, permissions: { publish: { deny: ["$JS.API.>"] } } }
              ]
            }
            """, ct);
        await using var server = await NatsServerProcess.StartWithConfigAsync(config, dir, "denied", ct);
        var url = server.Url.Replace("nats://", "nats://reader:letmein@", StringComparison.Ordinal);

        var (code, stdout, stderr, elapsed) = await NodeProcess.RunUntilExitAsync(ct, null, closeStdinAfter: null,
            "serve", "--nats", url, "--nats-connect-timeout", "60");

        var line = AssertOneLineFailure(3, code, stdout, stderr, elapsed);
        Assert.Contains("denied the node's JetStream API requests", line);
        Assert.Contains("Permissions Violation", line);
        Assert.DoesNotContain("letmein", stderr);
    }

    [Fact]
    public async Task More_replicas_than_servers_exits_2_with_one_line_naming_the_counts()
    {
        var ct = Timeout;
        await using var server = await NatsServerProcess.StartAsync(ct);

        var (code, stdout, stderr, elapsed) = await NodeProcess.RunUntilExitAsync(ct, dir => WriteConfig(dir,
            "server:\n  nats:\n    replicas: 3\n"), closeStdinAfter: null, "serve", "--nats", server.Url, "--graph", "r3" + Guid.NewGuid().ToString("N")[..8]);

        // The connection opened (an info line); then the refusal, one line.
        var refusal = string.Join('\n', stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("info: ", StringComparison.Ordinal)));
        var line = AssertOneLineFailure(2, code, stdout, refusal, elapsed);
        Assert.Contains("configuration error: NATS replicas 3 asked", line);
        Assert.Contains("the deployment has 1 server", line);
    }

    [Fact]
    public async Task The_node_exits_when_stdin_closes_while_it_is_still_waiting_for_nats()
    {
        var port = NatsServerProcess.FreeLoopbackPort();
        var (code, stdout, stderr, elapsed) = await NodeProcess.RunUntilExitAsync(Timeout, null, closeStdinAfter: TimeSpan.FromSeconds(1),
            "serve", "--nats", $"nats://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", "--nats-connect-timeout", "600");

        Assert.True(code == 0, $"exit code {code}; stderr: {stderr}");
        Assert.Empty(stdout);
        Assert.DoesNotContain("   at ", stderr);
        Assert.True(elapsed < Bound, $"the node took {elapsed} to leave after stdin closed");
    }

    [Theory]
    [InlineData("server:\n  claim_limit: [1\n  graph: other\n", "config.yaml:2: invalid YAML")]
    [InlineData("server:\n  graph: g\n  clam_limit: 3\n", "config.yaml:3: unknown key 'server.clam_limit' (did you mean 'server.claim_limit'?)")]
    [InlineData("server:\n  nats:\n    connect_timeout_seconds: soon\n", "server.nats.connect_timeout_seconds: expected an integer, got 'soon'")]
    public async Task A_bad_config_exits_2_with_one_line_naming_file_line_and_key(string yaml, string expected)
    {
        var (code, stdout, stderr, elapsed) = await NodeProcess.RunUntilExitAsync(Timeout, dir => WriteConfig(dir, yaml), closeStdinAfter: null, "serve");

        Assert.Contains(expected, AssertOneLineFailure(2, code, stdout, stderr, elapsed));
    }

    private static string AssertOneLineFailure(int expectedCode, int code, string stdout, string stderr, TimeSpan elapsed)
    {
        Assert.True(code == expectedCode, $"exit code {code}, expected {expectedCode}; stderr:\n{stderr}");
        Assert.Empty(stdout);
        Assert.DoesNotContain("   at ", stderr);
        Assert.True(elapsed < Bound, $"the node took {elapsed} to give up");
        return Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private static void WriteConfig(string dir, string yaml)
    {
        Directory.CreateDirectory(Path.Combine(dir, "task-graph"));
        File.WriteAllText(Path.Combine(dir, "task-graph", "config.yaml"), yaml);
    }
}
