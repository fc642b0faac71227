using System.Collections.Concurrent;
using TaskGraph.Core.Verification;

namespace TaskGraph.Node.Swarm;

/// <summary>What the agents did and were told, counted thread-safely while the swarm runs.</summary>
internal sealed class SwarmMetrics
{
    private readonly ConcurrentQueue<AcknowledgedCompletion> _acknowledged = new();
    private readonly ConcurrentDictionary<string, byte> _completedTasks = new(StringComparer.Ordinal);
    private readonly List<double> _claimLatenciesMs = [];
    private readonly Lock _latencyGate = new();
    private long _claims;
    private long _conflicts;
    private long _noReady;
    private long _retries;
    private long _silent;
    private long _lateRefused;
    private long _lateAccepted;
    private long _lost;
    private long _reconnects;
    private long _heartbeats;
    private long _unexpected;

    /// <summary>Every completion the rules acknowledged, with the worker that was told so.</summary>
    public IReadOnlyCollection<AcknowledgedCompletion> Acknowledged => _acknowledged;

    /// <summary>Distinct tasks whose completion was acknowledged.</summary>
    public int CompletedTasks => _completedTasks.Count;

    public long Claims => Interlocked.Read(ref _claims);

    public long Conflicts => Interlocked.Read(ref _conflicts);

    public long NoReady => Interlocked.Read(ref _noReady);

    public long Retries => Interlocked.Read(ref _retries);

    public long Silent => Interlocked.Read(ref _silent);

    public long LateRefused => Interlocked.Read(ref _lateRefused);

    public long LateAccepted => Interlocked.Read(ref _lateAccepted);

    public long Lost => Interlocked.Read(ref _lost);

    public long Reconnects => Interlocked.Read(ref _reconnects);

    public long Heartbeats => Interlocked.Read(ref _heartbeats);

    public long UnexpectedErrors => Interlocked.Read(ref _unexpected);

    /// <summary>The first few unexpected errors (type and message), for the report.</summary>
    public ConcurrentQueue<string> UnexpectedSamples { get; } = new();

    public void Claimed(TimeSpan latency, int conflicts)
    {
        Interlocked.Increment(ref _claims);
        Interlocked.Add(ref _conflicts, conflicts);
        lock (_latencyGate)
        {
            _claimLatenciesMs.Add(latency.TotalMilliseconds);
        }
    }

    public void ClaimFailed(int conflicts) => Interlocked.Add(ref _conflicts, conflicts);

    public void Acknowledge(AcknowledgedCompletion completion, bool late)
    {
        _acknowledged.Enqueue(completion);
        _completedTasks.TryAdd(completion.TaskId, 0);
        if (late)
        {
            Interlocked.Increment(ref _lateAccepted);
        }
    }

    public void NothingReady() => Interlocked.Increment(ref _noReady);

    public void Retried() => Interlocked.Increment(ref _retries);

    public void WentSilent() => Interlocked.Increment(ref _silent);

    public void LateCompletionRefused() => Interlocked.Increment(ref _lateRefused);

    public void LostTask() => Interlocked.Increment(ref _lost);

    public void Reconnected() => Interlocked.Increment(ref _reconnects);

    public void Heartbeat() => Interlocked.Increment(ref _heartbeats);

    public void Unexpected(Exception ex)
    {
        if (Interlocked.Increment(ref _unexpected) <= 5)
        {
            UnexpectedSamples.Enqueue($"{ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>The claim-next latency at percentile <paramref name="p"/> (0..100), in ms; 0 when nothing was claimed.</summary>
    public double ClaimLatencyPercentile(double p)
    {
        double[] sorted;
        lock (_latencyGate)
        {
            sorted = [.. _claimLatenciesMs];
        }

        if (sorted.Length == 0)
        {
            return 0;
        }

        Array.Sort(sorted);
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}
