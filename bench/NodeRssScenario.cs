using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace TaskGraph.Bench;

/// <summary>
/// Memory of a real node: starts the built <c>taskgraph</c> (standalone, SQLite in a temp dir) as a child process, creates
/// 1,000 tasks, then runs a seeded mix of tool calls over stdio with the C# MCP client (reads, claims and releases,
/// completions, thoughts, marks, links, searches), and reads the child's VmRSS and VmHWM from /proc/&lt;pid&gt;/status
/// before and after, against the 150 MiB aim of issue 10. <paramref name="environment"/> is added to the child's
/// environment (for example <c>DOTNET_gcServer=0</c>) to compare GC modes. With <paramref name="hostile"/>, one call in five
/// is a refused fuzz-style call carrying a large argument (a 100,000-character title, a 1,500-item tag list), as in the run
/// that issue 10 measured.
/// </summary>
internal sealed class NodeRssScenario(string name, string variant, IReadOnlyDictionary<string, string> environment, bool hostile = false) : IScenario
{
    private const int Tasks = 1_000;
    private const int DefaultCalls = 10_000;
    private const int Workers = 8;
    private const double AimMiB = 150;

    /// <inheritdoc />
    public string Name => name;

    /// <inheritdoc />
    public string Store => "sqlite";

    /// <inheritdoc />
    public string Description => $"node process RSS: {Tasks} tasks + mixed tool calls over stdio ({variant})";

    /// <inheritdoc />
    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchOptions options, TextWriter notes, CancellationToken cancellationToken)
    {
        var calls = options.IterationsOr(DefaultCalls);
        var dir = Path.Combine(Path.GetTempPath(), $"tg-bench-rss-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        var psi = StdioStartInfo(dir);
        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the node");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        try
        {
            await using var client = await McpClient.CreateAsync(
                new StreamClientTransport(process.StandardInput.BaseStream, process.StandardOutput.BaseStream),
                cancellationToken: cancellationToken).ConfigureAwait(false);
            var started = Memory(process.Id);

            for (var w = 0; w < Workers; w++)
            {
                await CallAsync(client, "connect", new() { ["worker_id"] = $"rss-{w}" }, cancellationToken).ConfigureAwait(false);
            }

            for (var t = 0; t < Tasks; t++)
            {
                await CallAsync(client, "create", new()
                {
                    ["id"] = $"rss-t{t}",
                    ["title"] = $"Task {t}: a title of ordinary length for the memory run",
                    ["description"] = "A description of a few lines.\nIt mentions the parser, the schema and the deployment.\nNothing more.",
                    ["priority"] = t % 11,
                    ["tags"] = new[] { t % 2 == 0 ? "backend" : "frontend" },
                }, cancellationToken).ConfigureAwait(false);
            }

            var loaded = Memory(process.Id);
            var samples = new LatencySamples();
            var errors = 0;
            var rng = new Random(7);
            var wall = Stopwatch.GetTimestamp();
            for (var i = 0; i < calls; i++)
            {
                var (tool, args) = hostile && rng.Next(5) == 0 ? Hostile(rng) : Next(rng, i);
                var start = Stopwatch.GetTimestamp();
                if (await CallAsync(client, tool, args, cancellationToken).ConfigureAwait(false))
                {
                    errors++;
                }

                samples.Add(start, Stopwatch.GetTimestamp());
            }

            samples.AddWall(wall, Stopwatch.GetTimestamp(), calls);
            var after = Memory(process.Id);
            notes.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name} ({variant}): RSS {started.RssMiB:0.0} MiB after start, {loaded.RssMiB:0.0} MiB after {Tasks} creates, {after.RssMiB:0.0} MiB after {calls} mixed calls "
                + $"(peak {after.PeakMiB:0.0} MiB); aim {AimMiB:0} MiB: {(after.RssMiB <= AimMiB && after.PeakMiB <= AimMiB ? "met" : "NOT met")}; {errors} calls answered with a tool error (expected: refused claims and transitions)"));
            return
            [
                new BenchResult
                {
                    Scenario = $"{name}/{variant}",
                    Store = Store,
                    Concurrency = 1,
                    OpsPerSecond = Math.Round(samples.OpsPerSecond, 0),
                    MedianUs = Math.Round(samples.MedianUs, 1),
                    P99Us = Math.Round(samples.PercentileUs(0.99), 1),
                    Baseline = string.Create(CultureInfo.InvariantCulture, $"RSS MiB start {started.RssMiB:0} / after {after.RssMiB:0} / peak {after.PeakMiB:0}"),
                    BaselineMedianUs = 0,
                    Samples = samples.Count,
                },
            ];
        }
        finally
        {
            try
            {
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // already closed by the client
            }

            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill(entireProcessTree: true);
            }

            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The mixed workload: mostly reads, with claim/complete/release cycles, thoughts, marks and links.</summary>
    private static (string Tool, Dictionary<string, object?> Args) Next(Random rng, int i)
    {
        var worker = $"rss-{rng.Next(Workers)}";
        var task = $"rss-t{rng.Next(Tasks)}";
        return rng.Next(20) switch
        {
            0 or 1 or 2 => ("list_tasks", new() { ["ready"] = true, ["limit"] = 20 }),
            3 => ("list_tasks", new() { ["status"] = "working", ["limit"] = 50 }),
            4 => ("list_tasks", new() { ["tags_any"] = "backend", ["format"] = "markdown", ["limit"] = 20 }),
            5 or 6 => ("get", new() { ["task"] = task }),
            7 or 8 => ("claim", new() { ["worker_id"] = worker, ["task"] = task }),
            9 => ("update", new() { ["worker_id"] = worker, ["task"] = task, ["status"] = "completed" }),
            10 => ("update", new() { ["worker_id"] = worker, ["task"] = task, ["status"] = "pending", ["reason"] = "handing it back" }),
            11 => ("thinking", new() { ["agent"] = worker, ["thought"] = $"step {i}: reading the code" }),
            12 => ("mark_file", new() { ["agent"] = worker, ["file"] = $"src/file{rng.Next(50)}.cs", ["task"] = task }),
            13 => ("unmark_file", new() { ["agent"] = worker, ["file"] = "*" }),
            14 => ("mark_updates", new() { ["agent"] = worker }),
            15 => ("search", new() { ["query"] = rng.Next(2) == 0 ? "parser" : "title", ["limit"] = 10 }),
            16 => ("scan", new() { ["task"] = task, ["before"] = -1, ["after"] = 2 }),
            17 => ("link", new() { ["from"] = task, ["to"] = $"rss-t{rng.Next(Tasks)}", ["type"] = "relates-to" }),
            18 => ("list_agents", new() { ["stale_timeout"] = 0 }),
            _ => ("task_history", new() { ["task"] = task }),
        };
    }

    /// <summary>Refused calls with large arguments: they allocate on the server's large object heap and then fail validation.</summary>
    private static (string Tool, Dictionary<string, object?> Args) Hostile(Random rng) => rng.Next(3) switch
    {
        0 => ("create", new() { ["title"] = new string('x', 100_000) }),
        1 => ("create", new() { ["title"] = "many tags", ["tags"] = Enumerable.Range(0, 1_500).Select(i => $"tag{i}").ToArray() }),
        _ => ("list_tasks", new() { ["offset"] = 2_147_483_648L, ["status"] = new string('s', 50_000) }),
    };

    /// <summary>Calls a tool; true when it answered with a tool error. A protocol error is a failure of the run.</summary>
    private static async Task<bool> CallAsync(McpClient client, string tool, Dictionary<string, object?> args, CancellationToken cancellationToken)
    {
        var result = await client.CallToolAsync(tool, args, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (result.IsError is true && result.Content.FirstOrDefault() is TextContentBlock text && text.Text.Contains("INTERNAL_ERROR", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{tool} {JsonSerializer.Serialize(args)}: {text.Text}");
        }

        return result.IsError is true;
    }

    /// <summary>The built node serving stdio over a SQLite file in <paramref name="dir"/>, with <paramref name="extraArgs"/> after <c>serve</c>'s.</summary>
    internal static ProcessStartInfo StdioStartInfo(string dir, params string[] extraArgs)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = dir,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { NodeDll(), "serve", "--db", Path.Combine(dir, "tasks.db") }.Concat(extraArgs))
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["TASK_GRAPH_USER_DIR"] = Path.Combine(dir, ".user");
        return psi;
    }

    internal static (double RssMiB, double PeakMiB) Memory(int pid)
    {
        double Field(string[] lines, string key) =>
            lines.Where(l => l.StartsWith(key, StringComparison.Ordinal))
                .Select(l => double.Parse(l[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024)
                .FirstOrDefault();
        var status = File.ReadAllLines($"/proc/{pid}/status");
        return (Field(status, "VmRSS:"), Field(status, "VmHWM:"));
    }

    /// <summary>src/Node/bin/&lt;configuration&gt;/net10.0/taskgraph.dll, built by the project reference.</summary>
    internal static string NodeDll()
    {
        var baseDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        for (var dir = baseDir; dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TaskGraph.sln")))
            {
                var dll = Path.Combine(dir.FullName, "src", "Node", "bin", baseDir.Parent!.Name, baseDir.Name, "taskgraph.dll");
                return File.Exists(dll) ? dll : throw new FileNotFoundException($"{dll} not found: build src/Node first");
            }
        }

        throw new FileNotFoundException("TaskGraph.sln not found above the bench binary");
    }
}
