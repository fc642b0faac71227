using System.Diagnostics;
using System.Globalization;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace TaskGraph.Bench;

/// <summary>
/// Many agents on one node over Streamable HTTP: <c>sessions</c> MCP clients (2025-06-18 sessions) each connect as their
/// own worker and loop claim-next, heartbeat (<c>thinking</c>), complete until the tasks run out. Reports completions
/// per second, the p50/p99 of every call, and the node's RSS; the baseline column is the same loop's
/// <c>list_workflows</c> round trip measured alone on one session first.
/// </summary>
internal sealed class HttpSessionsScenario(string name, int sessions) : IScenario
{
    private const int TasksPerSession = 4;

    /// <inheritdoc />
    public string Name => name;

    /// <inheritdoc />
    public string Store => "sqlite";

    /// <inheritdoc />
    public string Description => $"{sessions} concurrent HTTP sessions doing claim-next / heartbeat / complete";

    /// <inheritdoc />
    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchOptions options, TextWriter notes, CancellationToken cancellationToken)
    {
        var count = options.IterationsOr(sessions);
        await using var node = await HttpBenchNode.StartAsync(cancellationToken).ConfigureAwait(false);
        var baseline = new LatencySamples();
        await using (var probe = await node.ConnectAsync("2025-06-18", cancellationToken).ConfigureAwait(false))
        {
            for (var t = 0; t < count * TasksPerSession; t++)
            {
                await Call(probe, "create", new() { ["id"] = $"s-{t}", ["title"] = $"Task {t}" }, cancellationToken).ConfigureAwait(false);
            }

            for (var i = 0; i < 200; i++)
            {
                var start = Stopwatch.GetTimestamp();
                await Call(probe, "list_workflows", [], cancellationToken).ConfigureAwait(false);
                baseline.Add(start, Stopwatch.GetTimestamp());
            }
        }

        var clients = new List<McpClient>();
        for (var s = 0; s < count; s++)
        {
            clients.Add(await node.ConnectAsync("2025-06-18", cancellationToken).ConfigureAwait(false));
        }

        var connected = NodeRssScenario.Memory(node.ProcessId);
        var samples = new LatencySamples();
        var completed = 0;
        var wall = Stopwatch.GetTimestamp();
        await Task.WhenAll(clients.Select((client, s) => Task.Run(async () =>
        {
            var worker = $"agent-{s}";
            await Timed(client, "connect", new() { ["worker_id"] = worker }, samples, cancellationToken).ConfigureAwait(false);
            while (true)
            {
                var claim = await Timed(client, "claim", new() { ["worker_id"] = worker }, samples, cancellationToken).ConfigureAwait(false);
                if (claim.IsError is true)
                {
                    var text = (claim.Content.FirstOrDefault() as TextContentBlock)?.Text ?? string.Empty;
                    if (text.Contains("NO_READY_TASK", StringComparison.Ordinal))
                    {
                        return;
                    }

                    continue; // lost a race: claim the next one
                }

                var id = System.Text.Json.JsonDocument.Parse(((TextContentBlock)claim.Content[0]).Text).RootElement.GetProperty("task").GetProperty("id").GetString();
                await Timed(client, "thinking", new() { ["agent"] = worker, ["thought"] = "working on " + id }, samples, cancellationToken).ConfigureAwait(false);
                var done = await Timed(client, "update", new() { ["worker_id"] = worker, ["task"] = id, ["status"] = "completed" }, samples, cancellationToken).ConfigureAwait(false);
                if (done.IsError is not true)
                {
                    Interlocked.Increment(ref completed);
                }
            }
        }, cancellationToken))).ConfigureAwait(false);
        samples.AddWall(wall, Stopwatch.GetTimestamp(), completed);
        var after = NodeRssScenario.Memory(node.ProcessId);
        foreach (var client in clients)
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }

        notes.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: {count} sessions completed {completed} of {count * TasksPerSession} tasks; node RSS {connected.RssMiB:0} MiB with the sessions open, {after.RssMiB:0} MiB after (peak {after.PeakMiB:0} MiB)"));
        return
        [
            new BenchResult
            {
                Scenario = name,
                Store = Store,
                Concurrency = count,
                OpsPerSecond = Math.Round(samples.OpsPerSecond, 1),
                MedianUs = Math.Round(samples.MedianUs, 1),
                P99Us = Math.Round(samples.PercentileUs(0.99), 1),
                Baseline = string.Create(CultureInfo.InvariantCulture, $"list_workflows, 1 session; RSS peak {after.PeakMiB:0} MiB"),
                BaselineMedianUs = Math.Round(baseline.MedianUs, 1),
                BaselineP99Us = Math.Round(baseline.PercentileUs(0.99), 1),
                Samples = samples.Count,
            },
        ];
    }

    private static async Task<CallToolResult> Timed(McpClient client, string tool, Dictionary<string, object?> args, LatencySamples samples, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var result = await client.CallToolAsync(tool, args, cancellationToken: cancellationToken).ConfigureAwait(false);
        lock (samples)
        {
            samples.Add(start, Stopwatch.GetTimestamp());
        }

        if (result.IsError is true && result.Content.FirstOrDefault() is TextContentBlock text && text.Text.Contains("INTERNAL_ERROR", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{tool}: {text.Text}");
        }

        return result;
    }

    private static async Task Call(McpClient client, string tool, Dictionary<string, object?> args, CancellationToken cancellationToken)
    {
        var result = await client.CallToolAsync(tool, args, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (result.IsError is true)
        {
            throw new InvalidOperationException($"{tool}: {(result.Content.FirstOrDefault() as TextContentBlock)?.Text}");
        }
    }
}
