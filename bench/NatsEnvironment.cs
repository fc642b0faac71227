using TaskGraph.Bus.Connection;
using TaskGraph.Bus.KeyValue;
using TaskGraph.Core.Storage;

namespace TaskGraph.Bench;

/// <summary>A private single nats-server (JetStream, R1): each store is a fresh graph on it; the raw baseline its own bucket.</summary>
internal sealed class NatsEnvironment : IBenchEnvironment
{
    private readonly Lazy<Task<NatsServer>> _server = new(() => NatsServer.StartAsync(CancellationToken.None));
    private int _graphs;

    /// <inheritdoc />
    public string Store => "nats";

    /// <summary>True when a nats-server binary is on the PATH.</summary>
    public static bool Available() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Append("/usr/sbin")
            .Any(dir => File.Exists(Path.Combine(dir, "nats-server")));

    /// <inheritdoc />
    public async Task<IRecordStore> OpenStoreAsync(CancellationToken cancellationToken)
    {
        var server = await _server.Value.ConfigureAwait(false);
        var graph = $"bench{Interlocked.Increment(ref _graphs)}";
        return await NatsRecordStore.OpenAsync(new NatsStoreOptions { Url = server.Url, Graph = graph }, null, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IRawBaseline> OpenBaselineAsync(int callers, CancellationToken cancellationToken)
    {
        var server = await _server.Value.ConfigureAwait(false);
        return await RawKvBaseline.OpenAsync(server.Url, callers, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_server.IsValueCreated)
        {
            try
            {
                await (await _server.Value.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // The server never started.
            }
        }
    }
}
