using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using TaskGraph.Core.Verification;

namespace TaskGraph.Node.Swarm;

/// <summary>The figures of one swarm run and the history check's verdict.</summary>
public sealed record SwarmReport
{
    /// <summary>sqlite or nats.</summary>
    public required string Store { get; init; }

    /// <summary>Replicas of the graph's NATS bucket; null on SQLite.</summary>
    public int? Replicas { get; init; }

    /// <summary>Agents simulated.</summary>
    public int Agents { get; init; }

    /// <summary>Node runtimes.</summary>
    public int Nodes { get; init; }

    /// <summary>Tasks in the store when the agents started (the generated ones plus any left by id collisions).</summary>
    public int Tasks { get; init; }

    /// <summary>Dependency edges generated.</summary>
    public int Edges { get; init; }

    /// <summary>Generator and agent seed.</summary>
    public int Seed { get; init; }

    /// <summary>Lease length of the run.</summary>
    public int StaleTimeoutSeconds { get; init; }

    /// <summary>Claim limit of the run.</summary>
    public int ClaimLimit { get; init; }

    /// <summary>create_tree calls refused for a colliding generated id.</summary>
    public int IdCollisions { get; init; }

    /// <summary>Seconds spent generating the graph.</summary>
    public double GenerateSeconds { get; init; }

    /// <summary>Seconds from the first agent starting until every task was completed (or the limit hit).</summary>
    public double RunSeconds { get; init; }

    /// <summary>Seconds the history check took.</summary>
    public double CheckSeconds { get; init; }

    /// <summary>Whether every task was completed before the duration limit.</summary>
    public bool Finished { get; init; }

    /// <summary>Distinct tasks whose completion was acknowledged.</summary>
    public int Completed { get; init; }

    /// <summary>Completions per second over <see cref="RunSeconds"/>.</summary>
    public double Throughput { get; init; }

    /// <summary>Successful claim-next calls.</summary>
    public long Claims { get; init; }

    /// <summary>Median claim-next latency (ms).</summary>
    public double ClaimP50Ms { get; init; }

    /// <summary>99th percentile claim-next latency (ms).</summary>
    public double ClaimP99Ms { get; init; }

    /// <summary>Candidates lost to another agent (or no longer claimable) per successful claim.</summary>
    public double ConflictsPerClaim { get; init; }

    /// <summary>Claim-next calls that found nothing claimable.</summary>
    public long NoReady { get; init; }

    /// <summary>Tasks taken over from an earlier owner that never completed them (from the history).</summary>
    public int Takeovers { get; init; }

    /// <summary>Times an agent went silent mid-task.</summary>
    public long Silent { get; init; }

    /// <summary>Late completions by returning silent agents that the rules refused.</summary>
    public long LateRefused { get; init; }

    /// <summary>Late completions by returning silent agents that the rules acknowledged (legitimate only if the agent still held the task).</summary>
    public long LateAccepted { get; init; }

    /// <summary>Calls retried after STORE_UNAVAILABLE or CONFLICT.</summary>
    public long Retries { get; init; }

    /// <summary>Reconnects after a lapsed lease.</summary>
    public long Reconnects { get; init; }

    /// <summary>Errors agents did not expect (neither a refusal nor a retryable code); they carried on.</summary>
    public long UnexpectedErrors { get; init; }

    /// <summary>The first few of them.</summary>
    public IReadOnlyList<string> UnexpectedSamples { get; init; } = [];

    /// <summary>When the fault hook ran (percent of tasks completed), if it did.</summary>
    public double? FaultFiredAtPercent { get; init; }

    /// <summary>The fault hook's exit code, if it ran.</summary>
    public int? FaultExitCode { get; init; }

    /// <summary>The history check.</summary>
    public required HistoryCheckResult Check { get; init; }

    /// <summary>Number of violations found.</summary>
    public int Violations => Check.ViolationCount;

    /// <summary>The figures as one JSON object (snake_case), with up to ten violations spelled out.</summary>
    public string ToJson()
    {
        var o = new JsonObject
        {
            ["store"] = Store,
            ["replicas"] = Replicas,
            ["agents"] = Agents,
            ["nodes"] = Nodes,
            ["tasks"] = Tasks,
            ["edges"] = Edges,
            ["seed"] = Seed,
            ["stale_timeout_s"] = StaleTimeoutSeconds,
            ["claim_limit"] = ClaimLimit,
            ["id_collisions"] = IdCollisions,
            ["generate_s"] = Round(GenerateSeconds),
            ["run_s"] = Round(RunSeconds),
            ["check_s"] = Round(CheckSeconds),
            ["finished"] = Finished,
            ["completed"] = Completed,
            ["throughput_per_s"] = Round(Throughput),
            ["claims"] = Claims,
            ["claim_next_p50_ms"] = Round(ClaimP50Ms),
            ["claim_next_p99_ms"] = Round(ClaimP99Ms),
            ["conflicts_per_claim"] = Round(ConflictsPerClaim),
            ["no_ready"] = NoReady,
            ["takeovers"] = Takeovers,
            ["silent"] = Silent,
            ["late_refused"] = LateRefused,
            ["late_accepted"] = LateAccepted,
            ["retries"] = Retries,
            ["reconnects"] = Reconnects,
            ["unexpected_errors"] = UnexpectedErrors,
            ["unexpected_samples"] = new JsonArray([.. UnexpectedSamples.Select(u => (JsonNode?)u)]),
            ["fault_at_percent"] = FaultFiredAtPercent is { } f ? Round(f) : null,
            ["fault_exit_code"] = FaultExitCode,
            ["history_changes"] = Check.Changes,
            ["history_claims"] = Check.Claims,
            ["history_completions"] = Check.Completions,
            ["violations"] = Check.ViolationCount,
            ["violations_by_kind"] = new JsonObject(Check.ViolationsByKind.Select(k => KeyValuePair.Create(k.Key, (JsonNode?)k.Value))),
            ["violation_samples"] = new JsonArray([.. Check.Violations.Take(10).Select(v => (JsonNode?)v.Message)]),
        };
        return o.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }

    /// <summary>A human summary, a few lines.</summary>
    public void WriteText(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var c = CultureInfo.InvariantCulture;
        writer.WriteLine(string.Format(c, "swarm: {0} agents, {1} nodes, {2} tasks, {3} edges on {4} (lease {5} s, claim limit {6}, seed {7})", Agents, Nodes, Tasks, Edges, Replicas is { } r ? $"{Store} R{r}" : Store, StaleTimeoutSeconds, ClaimLimit, Seed));
        writer.WriteLine(string.Format(c, "  generate {0:F1} s, run {1:F1} s{2}, check {3:F1} s over {4} changes", GenerateSeconds, RunSeconds, Finished ? string.Empty : " (NOT FINISHED)", CheckSeconds, Check.Changes));
        writer.WriteLine(string.Format(c, "  throughput {0:F1} completions/s ({1} completed); claim-next p50 {2:F1} ms, p99 {3:F1} ms; {4:F2} conflicts per claim", Throughput, Completed, ClaimP50Ms, ClaimP99Ms, ConflictsPerClaim));
        writer.WriteLine(string.Format(c, "  silent {0}, takeovers {1}, late completions refused {2} / accepted {3}; retries {4}, reconnects {5}", Silent, Takeovers, LateRefused, LateAccepted, Retries, Reconnects));
        if (UnexpectedErrors > 0)
        {
            writer.WriteLine(string.Format(c, "  unexpected errors {0}: {1}", UnexpectedErrors, string.Join(" | ", UnexpectedSamples)));
        }

        if (FaultFiredAtPercent is { } at)
        {
            writer.WriteLine(string.Format(c, "  fault hook ran at {0:F1}% completed, exit code {1}", at, FaultExitCode));
        }

        writer.WriteLine(string.Format(c, "  violations: {0}{1}", Check.ViolationCount, Check.ViolationCount == 0 ? string.Empty : " (" + string.Join(", ", Check.ViolationsByKind.Select(k => $"{k.Key} {k.Value}")) + ")"));
        foreach (var v in Check.Violations.Take(20))
        {
            writer.WriteLine("    " + v.Kind + ": " + v.Message);
        }
    }

    private static double Round(double value) => Math.Round(value, 2);
}
