using TaskGraph.Core.ReadModels;
using TaskGraph.Core.Runtime;
using TaskGraph.Tests.Rules;

namespace TaskGraph.Tests.ReadModels;

/// <summary>
/// The read model applies each stored change of <c>graph.deps</c> by itself (format 2: only the edges it names), so links
/// and unlinks through the rules show up in readiness at once, and a model started later from the whole history agrees.
/// </summary>
[Trait("Lane", "fast")]
public sealed class ReadModelDependencyChangeTests
{
    [Fact]
    public async Task Links_unlinks_and_relinks_show_in_readiness_and_a_cold_start_agrees()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(time: TimeProvider.System, cancellationToken: cts.Token);
        await using var runtime = await GraphRuntime.StartAsync(await h.OpenStoreAsync(cts.Token), h.Config, h.Time, h.MarkDirectory, null, cts.Token);
        foreach (var id in new[] { "a", "b", "c" })
        {
            await runtime.Tasks.CreateAsync(new() { Id = id, Title = id }, cts.Token);
        }

        await runtime.Dependencies.LinkAsync(["a"], ["b", "c"], "blocks", null, cts.Token);
        Assert.Equal(["a"], Ready(runtime));

        await runtime.Dependencies.UnlinkAsync(["a"], ["b"], "blocks", null, cts.Token);
        Assert.Equal(["a", "b"], Ready(runtime));

        await runtime.Dependencies.RelinkAsync(["a"], ["c"], ["b"], ["c"], "blocks", null, cts.Token);
        Assert.Equal(["a", "b"], Ready(runtime));
        await runtime.Dependencies.UnlinkAsync(["b"], ["c"], "blocks", null, cts.Token);
        Assert.Equal(["a", "b", "c"], Ready(runtime));
        await runtime.Dependencies.LinkAsync(["c"], ["a"], "blocks", null, cts.Token);
        Assert.Equal(["b", "c"], Ready(runtime));

        // Another node rebuilds the same from the history (snapshot-free: every revision is a change).
        await using var later = await GraphRuntime.StartAsync(await h.OpenStoreAsync(cts.Token), h.Config, h.Time, h.MarkDirectory, null, cts.Token);
        Assert.Equal(Ready(runtime), Ready(later));
    }

    private static List<string> Ready(GraphRuntime runtime) =>
        [.. runtime.Reads.ListTasks(new TaskListQuery { Ready = true }, runtime.QueryRules()).Tasks.Select(t => t.Id).Order(StringComparer.Ordinal)];
}
