namespace TaskGraph.Tests.Nats;

/// <summary>xunit fixture: one single JetStream server shared by the tests of a collection.</summary>
public sealed class NatsServerFixture : IAsyncLifetime
{
    private NatsServerProcess? _server;

    /// <summary>The running server.</summary>
    public NatsServerProcess Server => _server ?? throw new InvalidOperationException("The server is not started.");

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        _server = await NatsServerProcess.StartAsync(cts.Token);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
