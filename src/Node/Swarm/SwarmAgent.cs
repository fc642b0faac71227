using System.Diagnostics;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Runtime;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Tasks;
using TaskGraph.Core.Verification;
using TaskGraph.Core.Workers;

namespace TaskGraph.Node.Swarm;

/// <summary>
/// One simulated agent: a cheap async loop on one node. It connects (generated worker id), claims the next task,
/// heartbeats while it thinks, completes; sometimes it goes silent mid-task and comes back late. Store calls pass
/// through a shared gate that bounds how many are in flight across the whole swarm.
/// </summary>
internal sealed class SwarmAgent(int index, GraphRuntime runtime, SwarmOptions options, SwarmCrew crew)
{
    /// <summary>The code claim-next answers with when nothing is claimable.</summary>
    public const string NoReadyTask = ErrorCodes.NoReadyTask;

    private const int MaxRetries = 40;

    private readonly Random _rng = new(HashCode.Combine(options.Seed, index));
    private string _workerId = string.Empty;
    private long _lastHeartbeatMs;
    private bool _checkOwned;
    private int _idleStreak;

    /// <summary>
    /// Runs until <paramref name="stopClaiming"/> (the graph is done): the agent takes no new task after it, but one that
    /// is silent still comes back and sends its late completion, until <paramref name="cancellationToken"/>.
    /// </summary>
    public async Task RunAsync(CancellationToken stopClaiming, CancellationToken cancellationToken)
    {
        try
        {
            var connected = await CallAsync(() => runtime.Workers.ConnectAsync(new ConnectRequest(), cancellationToken), cancellationToken).ConfigureAwait(false);
            _workerId = connected.Worker.Id;
            _lastHeartbeatMs = NowMs;
            while (!stopClaiming.IsCancellationRequested)
            {
                string? task;
                try
                {
                    task = await NextTaskAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (TaskGraphException ex) when (ex.Code is ErrorCodes.LeaseExpired or ErrorCodes.AgentNotFound)
                {
                    await ReconnectAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }
                catch (TaskGraphException ex) when (ex.Code == ErrorCodes.ClaimLimitReached)
                {
                    _checkOwned = true;
                    task = null;
                }

                if (task is null)
                {
                    await IdleAsync(stopClaiming, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                _idleStreak = 0;
                try
                {
                    if (_rng.NextDouble() < options.SilentRate)
                    {
                        await GoSilentAsync(task, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await WorkAsync(task, cancellationToken).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Anything else (a store fault surfacing raw from a rule's aftermath, ...): count it, check what we
                    // hold, carry on. An agent never dies of one bad answer.
                    crew.Metrics.Unexpected(ex);
                    _checkOwned = true;
                    await BackoffAsync(3, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stopClaiming.IsCancellationRequested || cancellationToken.IsCancellationRequested)
        {
            // The run is over.
        }
    }

    /// <summary>Claim-next through the node's own service; its lost attempts count as conflicts.</summary>
    private static async Task<(UpdateTaskResult Claimed, int Conflicts)> ClaimNextAsync(GraphRuntime runtime, string workerId, CancellationToken cancellationToken)
    {
        var result = await runtime.ClaimNext.ClaimNextAsync(new ClaimNextRequest { WorkerId = workerId }, cancellationToken).ConfigureAwait(false);
        return (result.Claim, result.Attempts - 1);
    }

    private static long NowMs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private async Task<string?> NextTaskAsync(CancellationToken cancellationToken)
    {
        if (_checkOwned)
        {
            // After a reconnect or a full claim limit: resume what this worker still holds, as the README tells an agent to.
            _checkOwned = false;
            foreach (var owned in runtime.TaskQueries.OwnedBy(_workerId))
            {
                var fresh = await CallAsync(() => runtime.Tasks.GetAsync(owned.Id, cancellationToken), cancellationToken).ConfigureAwait(false);
                if (fresh.Owner == _workerId && runtime.Config.Current.DefaultWorkflow.IsTimed(fresh.Status))
                {
                    return fresh.Id;
                }
            }
        }

        if (crew.Closer.TryTake(out var container))
        {
            try
            {
                var claimed = await CallAsync(() => runtime.Tasks.ClaimAsync(_workerId, container, force: false, cancellationToken), cancellationToken).ConfigureAwait(false);
                _lastHeartbeatMs = NowMs;
                return claimed.Task.Id;
            }
            catch (TaskGraphException ex) when (ex.Code is ErrorCodes.AlreadyClaimed or ErrorCodes.DependencyNotSatisfied or ErrorCodes.InvalidState or ErrorCodes.Conflict or ErrorCodes.StoreUnavailable)
            {
                // Someone else closes it, or it is not closable yet: the closer offers it again.
            }
            finally
            {
                crew.Closer.Done(container);
            }
        }

        await crew.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        var watch = Stopwatch.StartNew();
        try
        {
            var (result, conflicts) = await ClaimNextAsync(runtime, _workerId, cancellationToken).ConfigureAwait(false);
            crew.Metrics.Claimed(watch.Elapsed, conflicts);
            _lastHeartbeatMs = NowMs;
            return result.Task.Id;
        }
        catch (TaskGraphException ex) when (ex.Code == NoReadyTask)
        {
            crew.Metrics.NothingReady();
            crew.Metrics.ClaimFailed(ex.Details?.GetValueOrDefault("conflicts") as int? ?? 0);
            return null;
        }
        catch (Exception ex) when (IsRetryable(ex))
        {
            crew.Metrics.Retried();
            return null;
        }
        finally
        {
            crew.Gate.Release();
        }
    }

    private async Task WorkAsync(string taskId, CancellationToken cancellationToken)
    {
        var think = _rng.Next(options.ThinkMinMs, options.ThinkMaxMs + 1);
        await Task.Delay(think / 2, cancellationToken).ConfigureAwait(false);
        try
        {
            await CallAsync(() => runtime.Workers.ThinkingAsync(_workerId, $"working on {taskId}", [taskId], cancellationToken), cancellationToken).ConfigureAwait(false);
            _lastHeartbeatMs = NowMs;
            crew.Metrics.Heartbeat();
        }
        catch (TaskGraphException ex) when (ex.Code is ErrorCodes.LeaseExpired or ErrorCodes.AgentNotFound)
        {
            // Our lease lapsed (a slow machine, or a store outage): reconnect and see what we still hold.
            crew.Metrics.LostTask();
            await ReconnectAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        await Task.Delay(think - (think / 2), cancellationToken).ConfigureAwait(false);
        await CompleteAsync(taskId, late: false, cancellationToken).ConfigureAwait(false);
    }

    private async Task GoSilentAsync(string taskId, CancellationToken cancellationToken)
    {
        // Stop heartbeating mid-task for longer than the lease: the sweepers release the task and another agent takes it over.
        crew.Metrics.WentSilent();
        var stale = runtime.Config.Current.Server.StaleTimeoutSeconds;
        await Task.Delay(TimeSpan.FromSeconds(stale * (1.5 + _rng.NextDouble())), cancellationToken).ConfigureAwait(false);

        // Back, unaware: the late completion must be refused.
        if (await CompleteAsync(taskId, late: true, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        if (_rng.NextDouble() < options.SloppyRate)
        {
            // The adversarial agent: it reconnected (CompleteAsync did) and sends its stale completion again.
            await CompleteAsync(taskId, late: true, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Completes a task; returns whether the rules acknowledged it. Retries what the store asks to be retried.</summary>
    private async Task<bool> CompleteAsync(string taskId, bool late, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await crew.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    await runtime.Tasks.UpdateAsync(new UpdateTaskRequest { WorkerId = _workerId, TaskId = taskId, Status = "completed" }, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    crew.Gate.Release();
                }

                crew.Metrics.Acknowledge(new AcknowledgedCompletion(_workerId, taskId, NowMs), late);
                _lastHeartbeatMs = NowMs;
                return true;
            }
            catch (Exception ex) when (IsRetryable(ex) && attempt < MaxRetries)
            {
                crew.Metrics.Retried();
                await BackoffAsync(attempt, cancellationToken).ConfigureAwait(false);
            }
            catch (TaskGraphException ex) when (ex.Code is ErrorCodes.LeaseExpired or ErrorCodes.AgentNotFound)
            {
                Refused(late);
                await ReconnectAsync(cancellationToken).ConfigureAwait(false);
                return false;
            }
            catch (TaskGraphException)
            {
                // NOT_OWNER, ALREADY_CLAIMED, INVALID_STATE, ...: the task is no longer ours.
                Refused(late);
                return false;
            }
        }
    }

    private void Refused(bool late)
    {
        if (late)
        {
            crew.Metrics.LateCompletionRefused();
        }
        else
        {
            crew.Metrics.LostTask();
        }
    }

    private async Task ReconnectAsync(CancellationToken cancellationToken)
    {
        await CallAsync(() => runtime.Workers.ConnectAsync(new ConnectRequest { WorkerId = _workerId, Force = true }, cancellationToken), cancellationToken).ConfigureAwait(false);
        crew.Metrics.Reconnected();
        _lastHeartbeatMs = NowMs;
        _checkOwned = true;
    }

    private async Task IdleAsync(CancellationToken stopClaiming, CancellationToken cancellationToken)
    {
        _idleStreak++;
        var stale = runtime.Config.Current.Server.StaleTimeoutSeconds;
        if (NowMs - _lastHeartbeatMs > stale * 1000L / 3)
        {
            try
            {
                await CallAsync(() => runtime.Workers.HeartbeatAsync(_workerId, always: false, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
                _lastHeartbeatMs = NowMs;
                crew.Metrics.Heartbeat();
            }
            catch (TaskGraphException ex) when (ex.Code is ErrorCodes.LeaseExpired or ErrorCodes.AgentNotFound)
            {
                await ReconnectAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        var ceiling = Math.Min(2000, 25 << Math.Min(_idleStreak, 7));
        await Task.Delay(_rng.Next(ceiling / 2, ceiling + 1), stopClaiming).ConfigureAwait(false);
    }

    /// <summary>One store call through the gate, retried with backoff while the store is unavailable or contended.</summary>
    private async Task<T> CallAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await crew.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (Exception ex) when (IsRetryable(ex) && attempt < MaxRetries)
            {
                crew.Metrics.Retried();
            }
            finally
            {
                crew.Gate.Release();
            }

            await BackoffAsync(attempt, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>What the README says to retry: STORE_UNAVAILABLE and CONFLICT, and the store's own exceptions for them when they surface raw.</summary>
    private static bool IsRetryable(Exception ex) =>
        ex is TaskGraphException { Code: ErrorCodes.StoreUnavailable or ErrorCodes.Conflict } or StoreUnavailableException or ConcurrencyConflictException;

    private Task BackoffAsync(int attempt, CancellationToken cancellationToken) =>
        Task.Delay(_rng.Next(25, 50) * Math.Min(40, 1 << Math.Min(attempt, 6)), cancellationToken);
}
