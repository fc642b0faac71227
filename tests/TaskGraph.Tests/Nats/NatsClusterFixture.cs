namespace TaskGraph.Tests.Nats;

/// <summary>xunit fixture: one 3-node cluster shared by the tests of a collection.</summary>
public sealed class NatsClusterFixture : IAsyncLifetime
{
    private NatsCluster? _cluster;

    /// <summary>The running cluster.</summary>
    public NatsCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster is not started.");

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        _cluster = await NatsCluster.StartAsync(cts.Token);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
