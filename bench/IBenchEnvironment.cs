using TaskGraph.Core.Storage;

namespace TaskGraph.Bench;

/// <summary>
/// A store factory: where one scenario's stores and raw baseline live (a temp directory, or a private nats-server), torn
/// down when disposed. A NATS environment plugs in beside the SQLite one without touching the scenarios.
/// </summary>
internal interface IBenchEnvironment : IAsyncDisposable
{
    /// <summary>The store kind (sqlite, nats).</summary>
    string Store { get; }

    /// <summary>Opens a fresh, empty record store for the rules to run on. The caller owns it.</summary>
    Task<IRecordStore> OpenStoreAsync(CancellationToken cancellationToken);

    /// <summary>Opens the raw baseline, prepared for <paramref name="callers"/> concurrent callers.</summary>
    Task<IRawBaseline> OpenBaselineAsync(int callers, CancellationToken cancellationToken);
}
