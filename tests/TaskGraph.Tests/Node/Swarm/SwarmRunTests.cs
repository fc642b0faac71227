using Microsoft.Extensions.Logging.Abstractions;
using TaskGraph.Bus.Connection;
using TaskGraph.Core.Configuration;
using TaskGraph.Node.Configuration;
using TaskGraph.Node.Swarm;
using TaskGraph.Tests.Nats;

namespace TaskGraph.Tests.Node.Swarm;

/// <summary>Small swarm runs in-process: 50 agents on 2 node runtimes over 300 tasks, some going silent past their lease.</summary>
public static class SwarmRunTests
{
    /// <summary>
    /// Agents go silent often enough that takeovers happen; half of the returning agents are sloppy and resend their late
    /// completion after a forced reconnect, which the lease fence must refuse (a success there is a double completion the
    /// checker counts as a violation).
    /// </summary>
    public static SwarmOptions Small { get; } = new()
    {
        Agents = 50,
        Nodes = 2,
        Tasks = 300,
        Seed = 7,
        SilentRate = 0.03,
        SloppyRate = 0.5,
        Concurrency = 16,
        DurationLimit = TimeSpan.FromMinutes(3),
    };

    public static TaskGraphConfig Config(string store) => new()
    {
        Server = new ServerSettings { Store = store, StaleTimeoutSeconds = 3 },
    };

    public static void AssertClean(SwarmReport report)
    {
        var violations = string.Join("\n", report.Check.Violations.Select(v => $"{v.Kind}: {v.Message}"));
        Assert.True(report.Finished, "the swarm did not complete every task in time\n" + violations);
        Assert.True(report.Violations == 0, $"{report.Violations} violation(s):\n{violations}");
        Assert.Equal(report.Tasks, report.Check.Completions);
        Assert.True(report.Tasks >= Small.Tasks);
        Assert.True(report.Silent > 0, "no agent went silent");
        Assert.True(report.Takeovers > 0, "no task was taken over");
    }

    public sealed class OnSqlite
    {
        [Fact]
        public async Task Fifty_agents_on_two_nodes_complete_300_tasks_with_no_violation()
        {
            var dir = TestPaths.TempDir("swarm");
            try
            {
                var config = LoadedConfig.Of(Config("sqlite") with { Server = Config("sqlite").Server with { DbPath = Path.Combine(dir, "tasks.db") } });
                using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
                var report = await new SwarmRunner(config, Small, NullLoggerFactory.Instance).RunAsync(cts.Token);
                AssertClean(report);
                Assert.Null(report.Replicas);
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Collection(NatsServerCollection.Name)]
    public sealed class OnNats(NatsServerFixture fixture)
    {
        [Fact]
        public async Task Fifty_agents_on_two_nodes_complete_300_tasks_with_no_violation()
        {
            var config = LoadedConfig.Of(Config("nats")) with
            {
                Nats = new NatsStoreOptions { Url = fixture.Server.Url, Graph = "swarm" + Guid.NewGuid().ToString("N")[..12] },
            };
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            var report = await new SwarmRunner(config, Small, NullLoggerFactory.Instance).RunAsync(cts.Token);
            AssertClean(report);
            Assert.Equal(1, report.Replicas);
            Assert.Contains("\"replicas\":1", report.ToJson(), StringComparison.Ordinal);
        }
    }
}
