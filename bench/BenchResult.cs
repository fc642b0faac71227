using System.Text.Json.Serialization;

namespace TaskGraph.Bench;

/// <summary>One result line: our operation against a raw baseline measured in the same run.</summary>
internal sealed record BenchResult
{
    [JsonPropertyName("scenario")]
    public required string Scenario { get; init; }

    [JsonPropertyName("store")]
    public required string Store { get; init; }

    [JsonPropertyName("concurrency")]
    public required int Concurrency { get; init; }

    [JsonPropertyName("ops_per_s")]
    public required double OpsPerSecond { get; init; }

    [JsonPropertyName("median_us")]
    public required double MedianUs { get; init; }

    [JsonPropertyName("p99_us")]
    public required double P99Us { get; init; }

    [JsonPropertyName("baseline")]
    public required string Baseline { get; init; }

    [JsonPropertyName("baseline_median_us")]
    public required double BaselineMedianUs { get; init; }

    [JsonPropertyName("ratio")]
    public double Ratio => BaselineMedianUs > 0 ? Math.Round(MedianUs / BaselineMedianUs, 2) : 0;

    /// <summary>Shown in the human table only.</summary>
    [JsonIgnore]
    public double BaselineP99Us { get; init; }

    /// <summary>Shown in the human table only.</summary>
    [JsonIgnore]
    public double BaselineOpsPerSecond { get; init; }

    /// <summary>Samples behind the median (human table only).</summary>
    [JsonIgnore]
    public int Samples { get; init; }

    /// <summary>Builds a row from our samples and the baseline's.</summary>
    public static BenchResult From(string scenario, string store, int concurrency, LatencySamples ours, LatencySamples baseline, string baselineName) => new()
    {
        Scenario = scenario,
        Store = store,
        Concurrency = concurrency,
        OpsPerSecond = Math.Round(ours.OpsPerSecond, 0),
        MedianUs = Math.Round(ours.MedianUs, 1),
        P99Us = Math.Round(ours.PercentileUs(0.99), 1),
        Baseline = baselineName,
        BaselineMedianUs = Math.Round(baseline.MedianUs, 1),
        BaselineP99Us = Math.Round(baseline.PercentileUs(0.99), 1),
        BaselineOpsPerSecond = Math.Round(baseline.OpsPerSecond, 0),
        Samples = ours.Count,
    };
}
