using System.CommandLine;
using System.Text.Json;
using TaskGraph.Core.Migration;

namespace TaskGraph.Node.Cli;

/// <summary>
/// <c>taskgraph diff A B [--format text|json|summary]</c>: each side a snapshot file or a live store (<c>sqlite:PATH</c>,
/// <c>nats:URL[#graph]</c>). Exit 0 when equal, 1 when different, 2 or 3 when a side cannot be read.
/// </summary>
public static class DiffCommand
{
    private static readonly Argument<string> LeftArgument = new("A") { Description = "A snapshot file, sqlite:PATH or nats:URL[#graph]" };
    private static readonly Argument<string> RightArgument = new("B") { Description = "A snapshot file, sqlite:PATH or nats:URL[#graph]" };
    private static readonly string[] Kinds = ["added", "removed", "modified", "history"];
    private static readonly Option<string> FormatOption = new("--format", "-f") { Description = "text (default), json or summary", DefaultValueFactory = _ => "text" };

    /// <summary>The <c>diff</c> command.</summary>
    public static Command Build()
    {
        var diff = new Command("diff", "Compare two graphs (snapshot files or live stores): records, edges, blobs and, when both carry it, history. Exit 1 when they differ.");
        diff.Arguments.Add(LeftArgument);
        diff.Arguments.Add(RightArgument);
        FormatOption.AcceptOnlyFromAmong("text", "json", "summary");
        diff.Options.Add(FormatOption);
        diff.SetAction((parse, cancellationToken) => SnapshotCommandRun.RunAsync("diff", async () =>
        {
            var stores = new List<GraphStore>();
            try
            {
                var a = await SideAsync(parse, parse.GetValue(LeftArgument)!, stores, cancellationToken);
                var b = await SideAsync(parse, parse.GetValue(RightArgument)!, stores, cancellationToken);
                var differences = await GraphDiff.CompareAsync(a, b, cancellationToken);
                await Console.Out.WriteLineAsync(Render(differences, a, b, parse.GetValue(FormatOption)!));
                return differences.Count == 0 ? 0 : 1;
            }
            finally
            {
                foreach (var store in stores)
                {
                    await store.DisposeAsync();
                }
            }
        }));
        return diff;
    }

    private static async Task<IGraphSource> SideAsync(ParseResult parse, string side, List<GraphStore> stores, CancellationToken cancellationToken)
    {
        if (!GraphStore.IsLocation(side))
        {
            return await ImportCommand.OpenSnapshotAsync(side, cancellationToken);
        }

        var store = await GraphStore.OpenAsync(parse, side, cancellationToken);
        stores.Add(store);
        return new StoreGraphSource(store.Records, store.Blobs, store.Name, store.Graph, history: true, workers: true, TimeProvider.System);
    }

    private static string Render(IReadOnlyList<GraphDifference> differences, IGraphSource a, IGraphSource b, string format)
    {
        var counts = differences.GroupBy(d => d.Kind).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var summary = differences.Count == 0
            ? "equal"
            : string.Join(", ", Kinds.Where(counts.ContainsKey).Select(k => $"{counts[k]} {k}"));
        if (format == "json")
        {
            return JsonSerializer.Serialize(new
            {
                equal = differences.Count == 0,
                a = a.Name,
                b = b.Name,
                counts,
                differences = differences.Select(d => new { kind = d.Kind, what = d.What, key = d.Key, fields = d.Fields, detail = d.Detail }),
            });
        }

        if (format == "summary" || differences.Count == 0)
        {
            return summary;
        }

        var lines = new List<string> { $"--- {a.Name}", $"+++ {b.Name}" };
        foreach (var d in differences)
        {
            var mark = d.Kind switch { "added" => "+", "removed" => "-", _ => "~" };
            var tail = d.Fields is { Count: > 0 } fields ? ": " + string.Join(", ", fields) : d.Detail is { } detail ? ": " + detail : string.Empty;
            lines.Add($"{mark} {d.What} {d.Key}{(d.Kind == "history" ? " history" : string.Empty)}{tail}");
        }

        lines.Add(summary);
        return string.Join('\n', lines);
    }
}
