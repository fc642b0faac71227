using TaskGraph.Bus.Connection;
using TaskGraph.Bus.KeyValue;
using TaskGraph.Core.Configuration;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Storage.Sqlite;
using TaskGraph.Tests.Nats;
using TaskGraph.Tests.Node.InProcess;

namespace TaskGraph.Tests.Node.Mcp;

/// <summary>
/// Issue 10 item 4: a seeded fuzz run of 5,000 tool calls on each store (SQLite, and a single nats-server) through the
/// real tools in process (<see cref="InProcessNode"/>): zero INTERNAL_ERROR, every error a typed envelope, no stack trace
/// or host path in any answer, compact null-free JSON, and the invariants hold afterwards, read from the store.
/// </summary>
public sealed class ToolFuzzTests(ITestOutputHelper output)
{
    private const int Calls = 5_000;

    private static readonly TaskGraphConfig Config = new() { Server = new ServerSettings { ClaimLimit = 3 } };

    [Fact]
    public async Task Five_thousand_fuzzed_calls_on_sqlite_get_typed_answers_and_keep_the_invariants()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var dir = TestPaths.TempDir("fuzz-sqlite");
        try
        {
            var store = await SqliteRecordStore.OpenAsync(new SqliteStoreOptions { Path = Path.Combine(dir, "tasks.db") }, TimeProvider.System, cts.Token);
            await RunAsync(store, 10, dir, cts.Token);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Five_thousand_fuzzed_calls_on_nats_get_typed_answers_and_keep_the_invariants()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await using var server = await NatsServerProcess.StartAsync(cts.Token);
        var store = await NatsRecordStore.OpenAsync(new NatsStoreOptions { Url = server.Url, Graph = "fuzz" }, null, cts.Token);
        await RunAsync(store, 20, server.Directory, cts.Token);
    }

    private async Task RunAsync(IRecordStore store, int seed, string storeDir, CancellationToken cancellationToken)
    {
        await using var node = await InProcessNode.StartAsync(store, Config, cancellationToken);
        var fuzzer = new ToolFuzzer(node.Client, seed, HostPaths(storeDir));
        await fuzzer.RunAsync(Calls, cancellationToken);
        output.WriteLine(string.Join(", ", fuzzer.Outcomes.Select(o => $"{o.Key} {o.Value}")));
        output.WriteLine("ms per tool: " + string.Join(", ", fuzzer.Milliseconds.OrderByDescending(m => m.Value).Take(8).Select(m => $"{m.Key} {m.Value:0}")));
        Assert.True(fuzzer.Violations.Count == 0, $"{fuzzer.Violations.Count} violations:\n{string.Join('\n', fuzzer.Violations.Take(40))}");
        Assert.True(fuzzer.Outcomes.GetValueOrDefault("ok") > Calls / 5, "too few calls succeeded for state to build up");

        var broken = await ToolFuzzer.InvariantViolationsAsync(node.Graph.Store, Config, cancellationToken);
        Assert.True(broken.Count == 0, string.Join('\n', broken));
    }

    /// <summary>Paths of this machine that no answer may show (unless the call itself contained them).</summary>
    internal static IEnumerable<string> HostPaths(string storeDir) =>
    [
        storeDir, Environment.CurrentDirectory, TestPaths.RepoRoot, Path.GetTempPath(),
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), "/tmp/", "/work/", "/root",
    ];
}
