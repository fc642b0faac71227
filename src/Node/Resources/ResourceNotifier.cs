using TaskGraph.Core.Queries;
using TaskGraph.Core.Runtime;
using TaskGraph.Core.Storage;
using TaskGraph.Node.Configuration;

namespace TaskGraph.Node.Resources;

/// <summary>
/// Follows the store's change log (so changes made through any node count) and, once per coalescing window, sends
/// <c>notifications/resources/updated</c> to every session subscribed to a resource the changes touched. The same
/// watch feeds the workers' unseen-event counts (<see cref="PendingEvents"/>).
/// </summary>
internal sealed partial class ResourceNotifier(
    GraphRuntime graph, NodeConfig config, ResourceSubscriptions subscriptions, PendingEvents unseen, ILogger<ResourceNotifier> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var position = await graph.GetLogPositionAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var pending = new HashSet<string>(StringComparer.Ordinal);
                var flushAt = DateTime.MaxValue;
                await using var changes = graph.WatchLogAsync(position, stoppingToken).GetAsyncEnumerator(stoppingToken);
                var next = changes.MoveNextAsync().AsTask();
                while (true)
                {
                    var wait = flushAt == DateTime.MaxValue ? Timeout.InfiniteTimeSpan : flushAt - DateTime.UtcNow;
                    var done = wait == Timeout.InfiniteTimeSpan ? await Task.WhenAny(next) : await Task.WhenAny(next, Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, stoppingToken));
                    if (done == next)
                    {
                        if (!await next)
                        {
                            break;
                        }

                        position = changes.Current.Position;
                        Touch(changes.Current.Key, pending);
                        unseen.Observe(changes.Current);
                        if (flushAt == DateTime.MaxValue)
                        {
                            // Changes within the window become one notification per resource.
                            flushAt = DateTime.UtcNow + config.Loaded.NotificationWindow;
                        }

                        next = changes.MoveNextAsync().AsTask();
                    }
                    else
                    {
                        await NotifyAsync(pending, stoppingToken);
                        pending.Clear();
                        flushAt = DateTime.MaxValue;
                    }
                }
            }
            catch (Exception ex) when (ex is StoreUnavailableException && !stoppingToken.IsCancellationRequested)
            {
                LogWatchRestart(logger, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    /// <summary>The URIs (or prefixes, ending in '/') a change of <paramref name="key"/> touches.</summary>
    private static void Touch(string key, HashSet<string> pending)
    {
        if (key.StartsWith(RecordKeys.TaskPrefix, StringComparison.Ordinal) || key == RecordKeys.Dependencies)
        {
            pending.UnionWith(["query://tasks/all", "query://tasks/ready", "query://tasks/blocked", "query://tasks/claimed", "query://stats/summary", "query://tasks/agent/", "query://tasks/tree/"]);
        }
        else if (key.StartsWith(RecordKeys.MarkPrefix, StringComparison.Ordinal))
        {
            pending.Add("query://files/marks");
        }
        else if (key.StartsWith(RecordKeys.WorkerPrefix, StringComparison.Ordinal))
        {
            pending.Add("query://agents/all");
        }
    }

    private async Task NotifyAsync(HashSet<string> pending, CancellationToken cancellationToken)
    {
        bool Affected(string uri) => pending.Contains(uri) || pending.Any(p => p.EndsWith('/') && uri.StartsWith(p, StringComparison.Ordinal));
        foreach (var (target, uri) in subscriptions.Matching(Affected).ToList())
        {
            try
            {
                await target.SendUpdatedAsync(uri, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // The session is gone (closed, timed out): stop notifying it.
                subscriptions.Forget(target);
                LogSessionGone(logger, ex.Message);
            }
        }
    }

    [LoggerMessage(EventId = 3040, Level = LogLevel.Warning, Message = "Resource notifications: the change log watch stopped ({Reason}); restarting")]
    private static partial void LogWatchRestart(ILogger logger, string reason);

    [LoggerMessage(EventId = 3041, Level = LogLevel.Debug, Message = "Resource notifications: a subscribed session is gone ({Reason})")]
    private static partial void LogSessionGone(ILogger logger, string reason);
}
