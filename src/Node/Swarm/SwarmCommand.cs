using System.CommandLine;
using System.Globalization;
using TaskGraph.Bus.Connection;
using TaskGraph.Core.Storage;
using TaskGraph.Node.Cli;
using TaskGraph.Node.Configuration;
using TaskGraph.Node.Hosting;

namespace TaskGraph.Node.Swarm;

/// <summary>
/// <c>taskgraph swarm</c>: simulated agents on several node runtimes over one store, then a check of the store's whole
/// history. Exit code 0 with no violation, 1 with any, 2 for bad options or config, 3 when the store fails, 4 when the
/// run stops for another reason. Figures on stdout (<c>--json</c>:
/// one JSON object on the last line); logs and progress on stderr.
/// </summary>
public static class SwarmCommand
{
    /// <summary>Exit code when the history check found a violation.</summary>
    public const int ViolationExitCode = 1;

    /// <summary>Exit code for bad options or config.</summary>
    public const int UsageExitCode = 2;

    /// <summary>Exit code when the run stopped before the end for a reason other than the store (a bug to report).</summary>
    public const int AbortedExitCode = 4;

    /// <summary>
    /// Default lease of a swarm run: short, so silent agents' tasks are taken over within seconds, but at least a second per
    /// 50 agents: every heartbeat is a store write that every node's read model applies, and with 1,000 agents on 5 s
    /// leases (600 heartbeats/s) a loaded 2-core machine fell behind, leases lapsed and agents reconnected in a storm.
    /// </summary>
    public static int DefaultStaleTimeoutSeconds(int agents) => Math.Max(5, agents / 50);

    private static readonly Option<int> AgentsOption = new("--agents") { Description = "Simulated agents", DefaultValueFactory = _ => 1000 };
    private static readonly Option<int> NodesOption = new("--nodes") { Description = "Node runtimes, each with its own store connection and lease sweeper", DefaultValueFactory = _ => 3 };
    private static readonly Option<int> TasksOption = new("--tasks") { Description = "Tasks in the generated graph", DefaultValueFactory = _ => 10_000 };
    private static readonly Option<int> SeedOption = new("--seed") { Description = "Seed of the graph generator and the agents", DefaultValueFactory = _ => 1 };
    private static readonly Option<double?> FaultAtOption = new("--fault-at") { Description = "Percent of tasks completed at which --fault-cmd runs (once)" };
    private static readonly Option<string?> FaultCmdOption = new("--fault-cmd") { Description = "Shell command (/bin/sh -c) run once at --fault-at, e.g. to kill and restart a nats-server" };
    private static readonly Option<double> SilentRateOption = new("--silent-rate") { Description = "Share of claims after which the agent goes silent past its lease", DefaultValueFactory = _ => 0.01 };
    private static readonly Option<double> SloppyRateOption = new("--sloppy-rate") { Description = "Share of returning silent agents that reconnect and resend their stale completion", DefaultValueFactory = _ => 0.5 };
    private static readonly Option<int> ConcurrencyOption = new("--concurrency") { Description = "Store calls in flight at once across all agents", DefaultValueFactory = _ => 64 };
    private static readonly Option<string> ThinkOption = new("--think-ms") { Description = "Think time per task in ms, MIN-MAX", DefaultValueFactory = _ => "5-50" };
    private static readonly Option<int> DurationLimitOption = new("--duration-limit") { Description = "Seconds after which the run stops (the check still runs)", DefaultValueFactory = _ => 1800 };
    private static readonly Option<int?> ReplicasOption = new("--replicas") { Description = "NATS bucket replicas (1, or 3 on a cluster)" };
    private static readonly Option<bool> JsonOption = new("--json") { Description = "Print the figures as one JSON object on the last line of stdout" };

    /// <summary>The <c>swarm</c> subcommand. It reads the root's options through TaskGraphCli (--db, --nats, --graph, --stale-timeout, --claim-limit, --config, logging).</summary>
    public static Command Build()
    {
        var command = new Command("swarm", "Simulate a swarm of agents on several node runtimes over one store, then check the store's whole history.");
        foreach (var option in new Option[] { AgentsOption, NodesOption, TasksOption, SeedOption, FaultAtOption, FaultCmdOption, SilentRateOption, SloppyRateOption, ConcurrencyOption, ThinkOption, DurationLimitOption, ReplicasOption, JsonOption })
        {
            command.Options.Add(option);
        }

        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var think = parse.GetValue(ThinkOption)!.Split('-', 2);
        if (think.Length != 2 || !int.TryParse(think[0], CultureInfo.InvariantCulture, out var thinkMin) || !int.TryParse(think[1], CultureInfo.InvariantCulture, out var thinkMax))
        {
            await Console.Error.WriteLineAsync("taskgraph swarm: --think-ms must be MIN-MAX, e.g. 5-50");
            return UsageExitCode;
        }

        var options = new SwarmOptions
        {
            Agents = parse.GetValue(AgentsOption),
            Nodes = parse.GetValue(NodesOption),
            Tasks = parse.GetValue(TasksOption),
            Seed = parse.GetValue(SeedOption),
            FaultAtPercent = parse.GetValue(FaultAtOption),
            FaultCommand = parse.GetValue(FaultCmdOption),
            SilentRate = parse.GetValue(SilentRateOption),
            SloppyRate = parse.GetValue(SloppyRateOption),
            Concurrency = parse.GetValue(ConcurrencyOption),
            ThinkMinMs = thinkMin,
            ThinkMaxMs = thinkMax,
            DurationLimit = TimeSpan.FromSeconds(parse.GetValue(DurationLimitOption)),
        };
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            await Console.Error.WriteLineAsync("taskgraph swarm: " + string.Join("; ", problems));
            return UsageExitCode;
        }

        var root = TaskGraphCli.Overrides(parse);
        var nats = root.NatsUrl;
        var db = root.DbPath;
        if (nats is not null && db is not null)
        {
            await Console.Error.WriteLineAsync("taskgraph swarm: give --db or --nats, not both");
            return UsageExitCode;
        }

        // Never the project's own graph: a fresh SQLite file, or a fresh graph name on NATS, unless given.
        string? scratch = null;
        if (nats is null && db is null)
        {
            scratch = Path.Combine(Path.GetTempPath(), $"taskgraph-swarm-{Guid.NewGuid():N}");
            Directory.CreateDirectory(scratch);
            db = Path.Combine(scratch, "tasks.db");
        }

        var overrides = root with
        {
            DbPath = db,
            Graph = root.Graph ?? (nats is null ? null : $"swarm-{Guid.NewGuid():N}"[..18]),
            StaleTimeoutSeconds = root.StaleTimeoutSeconds ?? DefaultStaleTimeoutSeconds(options.Agents),
        };

        LoadedConfig config;
        try
        {
            config = ConfigLoader.Load(ConfigLoadOptions.FromProcess(overrides));
            if (parse.GetValue(ReplicasOption) is { } replicas)
            {
                config = config.Nats is { } n
                    ? config with { Nats = n with { Replicas = replicas } }
                    : throw new ConfigException("--replicas applies to the NATS store only (give --nats)");
            }
        }
        catch (ConfigException ex)
        {
            await Console.Error.WriteLineAsync($"taskgraph swarm: configuration error: {ex.Message}");
            return UsageExitCode;
        }

        var level = TaskGraphCli.Level(parse);
        // The node's stderr format (one line an entry, stack traces only for errors); the swarm's own progress at the
        // chosen level, everything else from warnings up.
        using var loggers = LoggerFactory.Create(l =>
        {
            NodeHost.AddStderrLogging(l, LogLevel.Warning);
            l.AddFilter("TaskGraph.Swarm", level);
        });
        try
        {
            var report = await new SwarmRunner(config, options, loggers).RunAsync(cancellationToken);
            report.WriteText(Console.Out);
            if (parse.GetValue(JsonOption))
            {
                await Console.Out.WriteLineAsync(report.ToJson());
            }

            await Console.Out.FlushAsync(cancellationToken);
            return report.Violations == 0 && report.Finished ? 0 : ViolationExitCode;
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("already holds data", StringComparison.Ordinal))
        {
            await Console.Error.WriteLineAsync("taskgraph swarm: " + ex.Message);
            return UsageExitCode;
        }
        catch (Exception ex) when (ex is NatsStartupException or StoreUnavailableException)
        {
            await Console.Error.WriteLineAsync($"taskgraph swarm: the store failed: {ex.Message.ReplaceLineEndings(" ")}");
            return TaskGraphCli.StoreErrorExitCode;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A simulator that cannot go on says why in one line; the stack trace is for -v.
            await Console.Error.WriteLineAsync($"taskgraph swarm: the run stopped: {ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}");
            if (level <= LogLevel.Debug)
            {
                await Console.Error.WriteLineAsync(ex.ToString());
            }

            return AbortedExitCode;
        }
        finally
        {
            if (scratch is not null)
            {
                TryDelete(scratch);
            }
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open; the OS cleans temp eventually.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }
}
