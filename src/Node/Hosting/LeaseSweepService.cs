using TaskGraph.Core.Runtime;

namespace TaskGraph.Node.Hosting;

/// <summary>
/// Runs the stale-worker sweeper on this node every so often. Every node runs one; the sweep is idempotent and
/// CAS-based, so concurrent sweeps on several nodes release each dead worker's claims exactly once.
/// </summary>
internal sealed class LeaseSweepService(GraphRuntime graph, TimeProvider time, ILogger<LeaseSweepService> logger) : BackgroundService
{
    /// <summary>How often to sweep: a quarter of the lease, between 1 and 30 seconds.</summary>
    public static TimeSpan Interval(int staleTimeoutSeconds) => TimeSpan.FromSeconds(Math.Clamp(staleTimeoutSeconds / 4.0, 1, 30));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval(graph.Config.Current.Server.StaleTimeoutSeconds), time, stoppingToken);
                var result = await graph.Sweeper.SweepAsync(null, null, "lease-sweeper", stoppingToken);
                if (result.EvictedWorkerIds.Count > 0)
                {
                    var evicted = string.Join(", ", result.EvictedWorkerIds);
                    NodeLog.Evicted(logger, result.EvictedWorkerIds.Count, evicted, result.TasksReleased, result.FilesReleased);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                NodeLog.SweepFailed(logger, ex);
            }
        }
    }
}
