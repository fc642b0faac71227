using TaskGraph.Core.Configuration;
using TaskGraph.Core.Storage.Sqlite;
using TaskGraph.Tests.Node.Hosting;
using TaskGraph.Tests.Node.Mcp;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.EndToEnd;

/// <summary>
/// The fuzz run of <see cref="ToolFuzzTests"/>, smaller (500 calls), through the built executable over stdio: the same
/// checks on every answer, then the invariants read from the node's SQLite file.
/// </summary>
public sealed class StdioFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Five_hundred_fuzzed_calls_through_the_executable_get_typed_answers_and_keep_the_invariants()
    {
        var ct = Timeout(300);
        await using var node = await NodeProcess.StartAsync(ct, "--claim-limit", "3");
        var fuzzer = new ToolFuzzer(node.Client, 30, ToolFuzzTests.HostPaths(node.WorkDir));
        await fuzzer.RunAsync(500, ct);
        output.WriteLine(string.Join(", ", fuzzer.Outcomes.Select(o => $"{o.Key} {o.Value}")));
        Assert.True(fuzzer.Violations.Count == 0, $"{fuzzer.Violations.Count} violations:\n{string.Join('\n', fuzzer.Violations.Take(40))}");

        var config = new TaskGraphConfig { Server = new ServerSettings { ClaimLimit = 3 } };
        await using var store = await SqliteRecordStore.OpenAsync(new SqliteStoreOptions { Path = node.DbPath }, TimeProvider.System, ct);
        var broken = await ToolFuzzer.InvariantViolationsAsync(store, config, ct);
        Assert.True(broken.Count == 0, string.Join('\n', broken));
    }
}
