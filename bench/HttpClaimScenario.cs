using System.Diagnostics;
using System.Globalization;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace TaskGraph.Bench;

/// <summary>
/// A claim over Streamable HTTP against a trivial tool call over HTTP, in the same run, on the built node (standalone,
/// SQLite in a temp dir, bearer tokens on): each iteration claims a task (sampled) and hands it back (not sampled); the
/// baseline is <c>list_workflows</c>, which reads nothing from the store, so the ratio is what a claim adds to the
/// transport, the token check and the filters. <paramref name="protocolVersion"/> null is the client's newest (stateless
/// on the server); "2025-06-18" holds a session.
/// </summary>
internal sealed class HttpClaimScenario(string name, string? protocolVersion) : IScenario
{
    private const int DefaultIterations = 1_000;
    private const int Tasks = 50;

    /// <inheritdoc />
    public string Name => name;

    /// <inheritdoc />
    public string Store => "sqlite";

    /// <inheritdoc />
    public string Description => $"claim over HTTP vs list_workflows over HTTP ({protocolVersion ?? "newest protocol, stateless"})";

    /// <inheritdoc />
    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchOptions options, TextWriter notes, CancellationToken cancellationToken)
    {
        var iterations = options.IterationsOr(DefaultIterations);
        await using var node = await HttpBenchNode.StartAsync(cancellationToken).ConfigureAwait(false);
        await using var client = await node.ConnectAsync(protocolVersion, cancellationToken).ConfigureAwait(false);
        await CallAsync(client, "connect", new() { ["worker_id"] = "bench" }, cancellationToken).ConfigureAwait(false);
        for (var t = 0; t < Tasks; t++)
        {
            await CallAsync(client, "create", new() { ["id"] = $"http-{t}", ["title"] = $"Task {t}" }, cancellationToken).ConfigureAwait(false);
        }

        // Warm-up of both paths, then alternate them so drift hits both alike.
        for (var i = 0; i < 50; i++)
        {
            await CycleAsync(client, i, null, cancellationToken).ConfigureAwait(false);
            await CallAsync(client, "list_workflows", [], cancellationToken).ConfigureAwait(false);
        }

        var ours = new LatencySamples();
        var baseline = new LatencySamples();
        var wall = Stopwatch.GetTimestamp();
        for (var i = 0; i < iterations; i++)
        {
            await CycleAsync(client, i, ours, cancellationToken).ConfigureAwait(false);
            var start = Stopwatch.GetTimestamp();
            await CallAsync(client, "list_workflows", [], cancellationToken).ConfigureAwait(false);
            baseline.Add(start, Stopwatch.GetTimestamp());
        }

        ours.AddWall(wall, Stopwatch.GetTimestamp(), iterations);
        notes.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: {iterations} claims over HTTP ({Description}); aim of issue 12: within 1.5x of a trivial call"));
        return
        [
            new BenchResult
            {
                Scenario = name,
                Store = Store,
                Concurrency = 1,
                OpsPerSecond = Math.Round(ours.OpsPerSecond, 0),
                MedianUs = Math.Round(ours.MedianUs, 1),
                P99Us = Math.Round(ours.PercentileUs(0.99), 1),
                Baseline = "list_workflows over HTTP",
                BaselineMedianUs = Math.Round(baseline.MedianUs, 1),
                BaselineP99Us = Math.Round(baseline.PercentileUs(0.99), 1),
                Samples = ours.Count,
            },
        ];
    }

    private static async Task CycleAsync(McpClient client, int i, LatencySamples? samples, CancellationToken cancellationToken)
    {
        var task = $"http-{i % Tasks}";
        var start = Stopwatch.GetTimestamp();
        await CallAsync(client, "claim", new() { ["worker_id"] = "bench", ["task"] = task }, cancellationToken).ConfigureAwait(false);
        samples?.Add(start, Stopwatch.GetTimestamp());
        await CallAsync(client, "update", new() { ["worker_id"] = "bench", ["task"] = task, ["status"] = "pending" }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task CallAsync(McpClient client, string tool, Dictionary<string, object?> args, CancellationToken cancellationToken)
    {
        var result = await client.CallToolAsync(tool, args, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (result.IsError is true)
        {
            throw new InvalidOperationException($"{tool}: {(result.Content.FirstOrDefault() as TextContentBlock)?.Text}");
        }
    }

}
