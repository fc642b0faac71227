using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace TaskGraph.Bench;

/// <summary>
/// The context an agent pays (tokens = UTF-8 characters / 4 of what crosses the wire): the built <c>taskgraph</c>'s
/// tools/list with <c>--tools core</c> and <c>--tools full</c>, and the answers of one core loop (connect, claim next,
/// thinking, mark_file, complete), against the budgets of issue 13 (2,500 / 8,000 / 1,200). The figures go to the notes;
/// the row times the core loop's calls, against a tools/list round trip as the baseline.
/// </summary>
internal sealed class ToolBudgetScenario : IScenario
{
    /// <inheritdoc />
    public string Name => "tool-budget";

    /// <inheritdoc />
    public string Store => "sqlite";

    /// <inheritdoc />
    public string Description => "tools/list per profile and one core loop's answers, in tokens (chars/4)";

    /// <inheritdoc />
    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchOptions options, TextWriter notes, CancellationToken cancellationToken)
    {
        var core = await ListAsync("core", cancellationToken).ConfigureAwait(false);
        var (full, loop, ours, baseline) = await FullAndLoopAsync(options.IterationsOr(50), cancellationToken).ConfigureAwait(false);
        notes.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"tool-budget: core tools/list {core.Tokens} tokens ({core.Count} tools, budget 2,500); full {full.Tokens} tokens ({full.Count} tools, budget 8,000); "
            + $"one core loop answers {loop.Sum(l => l.Tokens)} tokens (budget 1,200: {string.Join(", ", loop.Select(l => $"{l.Tool} {l.Tokens}"))})"));
        return [BenchResult.From("tool-budget/core-loop", Store, 1, ours, baseline, "tools/list round trip")];
    }

    private static async Task<(int Count, int Tokens)> ListAsync(string profile, CancellationToken cancellationToken)
    {
        await using var node = await Node.StartAsync(profile, cancellationToken).ConfigureAwait(false);
        var tools = await node.Client.ListToolsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return (tools.Count, Tokens(tools));
    }

    private static async Task<((int Count, int Tokens) Full, List<(string Tool, int Tokens)> Loop, LatencySamples Ours, LatencySamples Baseline)> FullAndLoopAsync(
        int rounds, CancellationToken cancellationToken)
    {
        await using var node = await Node.StartAsync("full", cancellationToken).ConfigureAwait(false);
        var client = node.Client;
        var tools = await client.ListToolsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var loop = new List<(string Tool, int Tokens)>();
        var ours = new LatencySamples();
        var baseline = new LatencySamples();
        for (var round = 0; round < rounds; round++)
        {
            var start = Stopwatch.GetTimestamp();
            _ = await client.ListToolsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            baseline.Add(start, Stopwatch.GetTimestamp());

            var task = $"budget-{round}";
            var agent = $"budget-agent-{round}";
            await CallAsync(client, "create", new() { ["id"] = task, ["title"] = "Write the parser for the manifest", ["description"] = "Read every line of the manifest into a record.", ["priority"] = 7 }, cancellationToken).ConfigureAwait(false);
            (string Tool, Dictionary<string, object?> Args)[] calls =
            [
                ("connect", new() { ["worker_id"] = agent, ["tags"] = new[] { "backend" } }),
                ("claim", new() { ["worker_id"] = agent }),
                ("thinking", new() { ["agent"] = agent, ["thought"] = "reading the manifest format" }),
                ("mark_file", new() { ["agent"] = agent, ["file"] = $"src/parser-{round}.cs", ["task"] = task }),
                ("update", new() { ["worker_id"] = agent, ["task"] = task, ["status"] = "completed" }),
            ];
            foreach (var (tool, args) in calls)
            {
                start = Stopwatch.GetTimestamp();
                var text = await CallAsync(client, tool, args, cancellationToken).ConfigureAwait(false);
                ours.Add(start, Stopwatch.GetTimestamp());
                if (round == 0)
                {
                    loop.Add((tool, text.Length / 4));
                }
            }
        }

        return ((tools.Count, Tokens(tools)), loop, ours, baseline);
    }

    private static int Tokens(IEnumerable<McpClientTool> tools) =>
        JsonSerializer.Serialize(tools.Select(t => t.ProtocolTool).ToList(), McpJsonUtilities.DefaultOptions).Length / 4;

    private static async Task<string> CallAsync(McpClient client, string tool, Dictionary<string, object?> args, CancellationToken cancellationToken)
    {
        var result = await client.CallToolAsync(tool, args, cancellationToken: cancellationToken).ConfigureAwait(false);
        var text = result.Content.OfType<TextContentBlock>().Single().Text;

        // What goes over the wire: the text and its structured twin (the same JSON), both counted.
        return result.IsError is true ? throw new InvalidOperationException($"{tool}: {text}") : text + result.StructuredContent?.GetRawText();
    }

    /// <summary>A node process over stdio with its own SQLite file.</summary>
    private sealed class Node : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly string _dir;

        private Node(Process process, string dir, McpClient client)
        {
            _process = process;
            _dir = dir;
            Client = client;
        }

        public McpClient Client { get; }

        public static async Task<Node> StartAsync(string profile, CancellationToken cancellationToken)
        {
            var dir = Path.Combine(Path.GetTempPath(), $"tg-bench-budget-{Guid.NewGuid():N}");
            Directory.CreateDirectory(dir);
            var process = Process.Start(NodeRssScenario.StdioStartInfo(dir, "--tools", profile)) ?? throw new InvalidOperationException("could not start the node");
            process.ErrorDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            var client = await McpClient.CreateAsync(
                new StreamClientTransport(process.StandardInput.BaseStream, process.StandardOutput.BaseStream),
                cancellationToken: cancellationToken).ConfigureAwait(false);
            return new Node(process, dir, client);
        }

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync().ConfigureAwait(false);
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync().ConfigureAwait(false);
            _process.Dispose();
            Directory.Delete(_dir, recursive: true);
        }
    }
}
