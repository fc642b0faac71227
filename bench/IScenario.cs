namespace TaskGraph.Bench;

/// <summary>One named benchmark; it measures our path and its raw baseline in the same run.</summary>
internal interface IScenario
{
    /// <summary>The name given on the command line.</summary>
    string Name { get; }

    /// <summary>The store kind it runs against (sqlite, nats).</summary>
    string Store { get; }

    /// <summary>What it measures, one line.</summary>
    string Description { get; }

    /// <summary>Runs the scenario; notes (profiles, counts) go to <paramref name="notes"/>.</summary>
    Task<IReadOnlyList<BenchResult>> RunAsync(BenchOptions options, TextWriter notes, CancellationToken cancellationToken);
}
