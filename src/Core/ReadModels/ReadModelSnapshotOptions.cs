namespace TaskGraph.Core.ReadModels;

/// <summary>Where a read model keeps its snapshot and how often it writes one (ADR 0010).</summary>
public sealed record ReadModelSnapshotOptions
{
    /// <summary>The snapshot file (an SQLite database); its directory is created when missing.</summary>
    public required string Path { get; init; }

    /// <summary>
    /// Names the store the snapshot belongs to (the SQLite file's path, the NATS bucket); a snapshot naming another is
    /// foreign and discarded. The first change of the store's log is checked as well.
    /// </summary>
    public required string StoreIdentity { get; init; }

    /// <summary>A snapshot is written once this many changes were applied since the last one.</summary>
    public int EveryChanges { get; init; } = 10_000;

    /// <summary>A snapshot is written this long after the last one when any change was applied since.</summary>
    public TimeSpan EveryInterval { get; init; } = TimeSpan.FromSeconds(60);
}
