namespace TaskGraph.Node.Swarm;

/// <summary>What one swarm simulation does: how many agents, nodes and tasks, how they misbehave, and when the fault hook fires.</summary>
public sealed record SwarmOptions
{
    /// <summary>Simulated agents (cheap async loops, not threads).</summary>
    public int Agents { get; init; } = 1000;

    /// <summary>Node runtimes, each composed as <c>serve</c> composes it, each with its own store connection and lease sweeper.</summary>
    public int Nodes { get; init; } = 3;

    /// <summary>Tasks in the generated graph.</summary>
    public int Tasks { get; init; } = 10_000;

    /// <summary>Seed of the graph generator and of the agents' choices (ids are drawn by the rules, so they differ per run).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Store operations in flight at once, across all agents.</summary>
    public int Concurrency { get; init; } = 64;

    /// <summary>Share of claims after which the agent goes silent (no heartbeat) for 1.5 to 2.5 stale timeouts, then comes back.</summary>
    public double SilentRate { get; init; } = 0.01;

    /// <summary>
    /// Share of returning silent agents that, once refused, reconnect with force and send their stale completion again
    /// (the adversarial case the lease fence must refuse). The others check what they still own, as the README says.
    /// </summary>
    public double SloppyRate { get; init; } = 0.5;

    /// <summary>Shortest think time per task, in ms (half before the heartbeat, half after).</summary>
    public int ThinkMinMs { get; init; } = 5;

    /// <summary>Longest think time per task, in ms.</summary>
    public int ThinkMaxMs { get; init; } = 50;

    /// <summary>Percent of the tasks completed at which <see cref="FaultCommand"/> runs (once).</summary>
    public double? FaultAtPercent { get; init; }

    /// <summary>A shell command (<c>/bin/sh -c</c>) run once at <see cref="FaultAtPercent"/>, e.g. to kill and restart a nats-server.</summary>
    public string? FaultCommand { get; init; }

    /// <summary>The run gives up after this long (the check still runs and reports the unfinished tasks).</summary>
    public TimeSpan DurationLimit { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Checks the options; returns problems, one line each.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Agents < 1)
        {
            problems.Add("--agents must be at least 1");
        }

        if (Nodes < 1)
        {
            problems.Add("--nodes must be at least 1");
        }

        if (Tasks < 1)
        {
            problems.Add("--tasks must be at least 1");
        }

        if (Concurrency < 1)
        {
            problems.Add("--concurrency must be at least 1");
        }

        if (SilentRate is < 0 or > 1)
        {
            problems.Add("--silent-rate must be between 0 and 1");
        }

        if (SloppyRate is < 0 or > 1)
        {
            problems.Add("--sloppy-rate must be between 0 and 1");
        }

        if (ThinkMinMs < 0 || ThinkMaxMs < ThinkMinMs)
        {
            problems.Add("--think-ms: need 0 <= min <= max");
        }

        if (FaultAtPercent is < 0 or > 100)
        {
            problems.Add("--fault-at must be a percentage between 0 and 100");
        }

        if ((FaultAtPercent is null) != (FaultCommand is null))
        {
            problems.Add("--fault-at and --fault-cmd go together");
        }

        if (DurationLimit <= TimeSpan.Zero)
        {
            problems.Add("--duration-limit must be positive");
        }

        return problems;
    }
}
