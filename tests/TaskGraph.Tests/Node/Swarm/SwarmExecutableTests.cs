using System.Text.Json;
using TaskGraph.Tests.Node.Hosting;

namespace TaskGraph.Tests.Node.Swarm;

/// <summary>The built executable: <c>taskgraph swarm ... --json</c> prints its figures as JSON on the last stdout line.</summary>
public sealed class SwarmExecutableTests
{
    [Fact]
    public async Task Swarm_json_prints_the_figures_on_the_last_line_and_exits_by_the_verdict()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var (code, stdout, stderr) = await NodeProcess.RunAsync(
            cts.Token, null, "swarm", "--agents", "20", "--tasks", "100", "--json", "--stale-timeout", "3", "--silent-rate", "0.05");

        var last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        using var json = JsonDocument.Parse(last);
        var figures = json.RootElement;
        Assert.Equal("sqlite", figures.GetProperty("store").GetString());
        Assert.Equal(20, figures.GetProperty("agents").GetInt32());
        Assert.True(figures.GetProperty("tasks").GetInt32() >= 100);
        Assert.True(figures.GetProperty("finished").GetBoolean(), stderr);
        Assert.Equal(figures.GetProperty("tasks").GetInt32(), figures.GetProperty("history_completions").GetInt32());
        foreach (var name in new[] { "throughput_per_s", "claim_next_p50_ms", "claim_next_p99_ms", "conflicts_per_claim", "takeovers", "violations" })
        {
            Assert.True(figures.TryGetProperty(name, out _), $"no {name} in {last}");
        }

        // Returning silent agents resend stale completions by default: 0 violations once the lease fence refuses them all.
        var violations = figures.GetProperty("violations").GetInt32();
        Assert.Equal(violations == 0 ? 0 : 1, code);
        Assert.Contains("swarm:", stderr);
    }
}
