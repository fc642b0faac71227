using TaskGraph.Node.Configuration;

namespace TaskGraph.Node.Auth;

/// <summary>
/// With <c>server.auth.jwt.jwks_url</c>: fetches the key set before the node serves (a failure is a warning, not a stop:
/// JWTs are refused until a fetch works), then every <see cref="JwtKeySource.RefreshInterval"/> (every
/// <see cref="JwtKeySource.RetryInterval"/> while none was ever fetched). Does nothing otherwise.
/// </summary>
internal sealed class JwksRefreshService(NodeConfig config, IServiceProvider services, TimeProvider time) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (config.Loaded.Jwt?.JwksUrl is null)
        {
            return;
        }

        var keys = services.GetRequiredService<JwtKeySource>();
        await keys.FetchAsync(cancellationToken);
        _loop = RefreshAsync(keys, _stopping.Token);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _loop.WaitAsync(cancellationToken);
    }

    public void Dispose() => _stopping.Dispose();

    private async Task RefreshAsync(JwtKeySource keys, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(keys.Keys.Count == 0 ? JwtKeySource.RetryInterval : JwtKeySource.RefreshInterval, time, stoppingToken);
                await keys.FetchAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
