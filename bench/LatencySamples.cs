using System.Diagnostics;

namespace TaskGraph.Bench;

/// <summary>
/// Every latency sample of one measured side, in Stopwatch ticks, plus the wall time the side ran for. Percentiles come
/// from sorting all samples (nearest rank), which is exact for the few thousand samples a scenario takes.
/// </summary>
internal sealed class LatencySamples
{
    private readonly Lock _gate = new();
    private readonly List<long> _ticks = [];
    private long[]? _sorted;
    private long _wallTicks;
    private long _operations;

    /// <summary>Number of samples.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _ticks.Count;
            }
        }
    }

    /// <summary>Operations per second of wall time (operations counted by <see cref="AddWall"/>).</summary>
    public double OpsPerSecond => _wallTicks == 0 ? 0 : _operations / ((double)_wallTicks / Stopwatch.Frequency);

    /// <summary>The median in microseconds.</summary>
    public double MedianUs => PercentileUs(0.5);

    /// <summary>Adds one sample measured from <paramref name="startTimestamp"/> to <paramref name="endTimestamp"/>.</summary>
    public void Add(long startTimestamp, long endTimestamp)
    {
        lock (_gate)
        {
            _ticks.Add(endTimestamp - startTimestamp);
            _sorted = null;
        }
    }

    /// <summary>Adds a stretch of wall time during which <paramref name="operations"/> operations completed.</summary>
    public void AddWall(long startTimestamp, long endTimestamp, long operations)
    {
        lock (_gate)
        {
            _wallTicks += endTimestamp - startTimestamp;
            _operations += operations;
        }
    }

    /// <summary>The nearest-rank percentile (0..1) in microseconds; 0 without samples.</summary>
    public double PercentileUs(double percentile)
    {
        long[] sorted;
        lock (_gate)
        {
            if (_ticks.Count == 0)
            {
                return 0;
            }

            if (_sorted is null)
            {
                _sorted = [.. _ticks];
                Array.Sort(_sorted);
            }

            sorted = _sorted;
        }

        var rank = (int)Math.Ceiling(percentile * sorted.Length);
        var ticks = sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
        return ticks * 1_000_000.0 / Stopwatch.Frequency;
    }
}
