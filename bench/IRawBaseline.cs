namespace TaskGraph.Bench;

/// <summary>The cheapest way to do the same thing directly on the store's engine, without any rules.</summary>
internal interface IRawBaseline : IAsyncDisposable
{
    /// <summary>What one round trip is, for the table (e.g. "raw BEGIN IMMEDIATE/UPDATE/COMMIT").</summary>
    string Name { get; }

    /// <summary>What one race attempt is, for the table.</summary>
    string RaceName { get; }

    /// <summary>One read-modify-write of caller <paramref name="caller"/>'s own key (a single-row transaction or get+CAS).</summary>
    ValueTask WriteAsync(int caller, long sequence, CancellationToken cancellationToken);

    /// <summary>Makes race keys 0..<paramref name="rounds"/>-1 exist, unclaimed.</summary>
    ValueTask PrepareRaceAsync(int rounds, CancellationToken cancellationToken);

    /// <summary>Tries to claim race key <paramref name="round"/> for <paramref name="caller"/>; true for the one winner.</summary>
    ValueTask<bool> RaceAsync(int caller, int round, CancellationToken cancellationToken);
}
