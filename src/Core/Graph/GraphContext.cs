using TaskGraph.Core.Configuration;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Ids;
using TaskGraph.Core.Storage;

namespace TaskGraph.Core.Graph;

/// <summary>What every rule needs: the records, the live config, the clock, id generation and read-your-writes.</summary>
public sealed class GraphContext(GraphRecords records, ConfigHolder config, TimeProvider time, IReadYourWrites reads, PetnameGenerator? petnames = null)
{
    /// <summary>How often a decision is re-read and retried after losing a compare-and-swap.</summary>
    public const int MaxAttempts = 12;

    /// <summary>
    /// How often a change of <c>graph.deps</c> is retried: every link, unlink and tree of the graph serialises on that one
    /// record, so a crowd of agents linking at once queues there; its writes are small, so waiting a turn is cheap.
    /// </summary>
    public const int MaxDependencyAttempts = 200;

    /// <summary>How often a timed-out store call is re-read and retried before STORE_UNAVAILABLE.</summary>
    public const int MaxUnavailableAttempts = 3;

    /// <summary>Typed records.</summary>
    public GraphRecords Records { get; } = records;

    /// <summary>The live config.</summary>
    public TaskGraphConfig Config => config.Current;

    /// <summary>The clock.</summary>
    public TimeProvider Time { get; } = time;

    /// <summary>Read-your-writes.</summary>
    public IReadYourWrites Reads { get; } = reads;

    /// <summary>Generated ids.</summary>
    public PetnameGenerator Petnames { get; } = petnames ?? new PetnameGenerator();

    /// <summary>Now, in epoch milliseconds.</summary>
    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// Runs read-decide-write until the compare-and-swap wins; a decision is always re-made on fresh reads.
    /// After <see cref="MaxAttempts"/> lost races it gives up with CONFLICT.
    /// </summary>
    public Task<T> RetryAsync<T>(Func<int, Task<T>> attempt, CancellationToken cancellationToken) =>
        RetryAsync(attempt, MaxAttempts, cancellationToken);

    /// <summary>As <see cref="RetryAsync{T}(Func{int, Task{T}}, CancellationToken)"/>, giving up after <paramref name="maxAttempts"/> lost races.</summary>
    public async Task<T> RetryAsync<T>(Func<int, Task<T>> attempt, int maxAttempts, CancellationToken cancellationToken)
    {
        var unavailable = 0;
        for (var i = 0; ; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                return await attempt(i).ConfigureAwait(false);
            }
            catch (StoreUnavailableException ex) when (ex is not HubUnreachableException)
            {
                // An unreachable hub is refused at once (nothing was sent, so a retry here would only wait).
                // The outcome of a timed-out write is unknown: never resend it blindly. The next attempt re-reads, and a
                // write that did land is recognised by its request id (TaskChange.RequestId) or shows up as a conflict.
                if (++unavailable > MaxUnavailableAttempts)
                {
                    throw new TaskGraphException(ErrorCodes.StoreUnavailable, "The store is not reachable right now; try again shortly.")
                    {
                        Suggestion = "Retry the call; if you were claiming, check list_tasks(owner=...) first: the claim may have landed.",
                        Details = new Dictionary<string, object?> { ["reason"] = ex.Message },
                    };
                }

                await Task.Delay(TimeSpan.FromMilliseconds(250 * unavailable), Time, cancellationToken).ConfigureAwait(false);
            }
            catch (ConcurrencyConflictException ex)
            {
                if (i >= maxAttempts - 1)
                {
                    throw new TaskGraphException(ErrorCodes.Conflict, $"Too many concurrent changes to '{RecordKeys.Decode(ex.Key.Split('.', 2)[^1])}'; try again.")
                    {
                        Suggestion = "Retry the call; another agent changed the same record at the same moment.",
                    };
                }

                // Jittered backoff keeps a crowd of racers from colliding in lockstep.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(0, 2 + (Math.Min(i, 10) * 3))), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Waits until a write of ours is visible to local reads.</summary>
    public ValueTask SeenAsync(string key, ulong revision, CancellationToken cancellationToken) =>
        Reads.WaitForAsync(key, revision, cancellationToken);
}
