using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace TaskGraph.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench -- [scenario...] [--json] [--iterations N] [--keep-db PATH]</c>: runs the scenarios and prints a
/// table, or with <c>--json</c> one JSON object per result line (notes then go to stderr).
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var catalog = ScenarioCatalog.All();
        var options = BenchOptions.Parse(args, Console.Error);
        if (options is null)
        {
            Console.Error.WriteLine("usage: TaskGraph.Bench [scenario...] [--json] [--iterations N] [--keep-db PATH]");
            Console.Error.WriteLine("scenarios: " + string.Join(", ", catalog.Select(c => c.Name)));
            return 2;
        }

        var unknown = options.Scenarios.Where(s => catalog.All(c => c.Name != s)).ToList();
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine($"unknown scenario(s): {string.Join(", ", unknown)}; known: {string.Join(", ", catalog.Select(c => c.Name))}");
            return 2;
        }

        // Concurrent scenarios start 16 callers at once; do not let thread-pool ramp-up be what we measure.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), Math.Max(io, 64));

        // Without names, NATS scenarios run only where a nats-server binary is installed.
        var selected = catalog
            .Where(c => options.Scenarios.Contains(c.Name) || (options.Scenarios.Count == 0 && (!c.Name.StartsWith("nats-", StringComparison.Ordinal) || NatsEnvironment.Available())))
            .SelectMany(c => c.Scenarios)
            .ToList();
        var notes = options.Json ? Console.Error : Console.Out;
        var results = new List<BenchResult>();
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        var total = Stopwatch.StartNew();
        foreach (var scenario in selected)
        {
            Console.Error.WriteLine($"running {scenario.Name} ({scenario.Description})");
            var started = Stopwatch.StartNew();
            var rows = await scenario.RunAsync(options, notes, cancel.Token).ConfigureAwait(false);
            Console.Error.WriteLine($"  done in {started.Elapsed.TotalSeconds:0.0} s");
            foreach (var row in rows)
            {
                results.Add(row);
                if (options.Json)
                {
                    Console.Out.WriteLine(JsonSerializer.Serialize(row));
                }
            }
        }

        if (!options.Json)
        {
            Console.Out.WriteLine();
            PrintTable(results, Console.Out);
        }

        Console.Error.WriteLine($"total {total.Elapsed.TotalSeconds:0.0} s on {Environment.ProcessorCount} cores");
        return 0;
    }

    private static void PrintTable(IReadOnlyList<BenchResult> results, TextWriter output)
    {
        string[] header = ["scenario", "store", "conc", "ops/s", "median us", "p99 us", "baseline", "base median us", "base p99 us", "ratio"];
        var rows = results.Select(r => new[]
        {
            r.Scenario,
            r.Store,
            r.Concurrency.ToString(CultureInfo.InvariantCulture),
            r.OpsPerSecond.ToString("0", CultureInfo.InvariantCulture),
            r.MedianUs.ToString("0.0", CultureInfo.InvariantCulture),
            r.P99Us.ToString("0.0", CultureInfo.InvariantCulture),
            r.Baseline,
            r.BaselineMedianUs.ToString("0.0", CultureInfo.InvariantCulture),
            r.BaselineP99Us.ToString("0.0", CultureInfo.InvariantCulture),
            r.Ratio.ToString("0.00", CultureInfo.InvariantCulture) + "x",
        }).ToList();
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Prepend(h.Length).Max()).ToArray();
        string Line(string[] cells) => "| " + string.Join(" | ", cells.Select((c, i) => i is >= 2 and <= 5 or >= 7 ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))) + " |";
        output.WriteLine(Line(header));
        output.WriteLine("|" + string.Join("|", widths.Select((w, i) => i is >= 2 and <= 5 or >= 7 ? new string('-', w + 1) + ":" : new string('-', w + 2))) + "|");
        foreach (var row in rows)
        {
            output.WriteLine(Line(row));
        }
    }
}
