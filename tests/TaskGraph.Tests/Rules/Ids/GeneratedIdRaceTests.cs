using System.Collections.Concurrent;
using System.Diagnostics;
using TaskGraph.Core.Configuration;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Runtime;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Tasks;
using TaskGraph.Core.Workers;

namespace TaskGraph.Tests.Rules.Ids;

/// <summary>
/// Three nodes (<see cref="GraphRuntime"/>s, each over its own store instance on one SQLite file or one NATS graph)
/// creating 20,000 tasks with generated ids at once, by create and create_tree, plus workers by connect: every id unique,
/// no call refused. Collisions are settled by create-if-absent, so they can only cost a redraw.
/// </summary>
public abstract class GeneratedIdRaceTests(ITestOutputHelper output)
{
    private const int Nodes = 3;
    private const int LoopsPerNode = 4;
    private const int TaskCount = 20_000;
    private const int TreeEvery = 50;
    private const int ConnectEvery = 80;

    /// <summary>Where the nodes keep their data.</summary>
    protected abstract RulesBackend Backend { get; }

    [Fact]
    public async Task Three_nodes_creating_twenty_thousand_tasks_with_generated_ids_at_once_give_unique_ids_and_no_errors()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var config = new TaskGraphConfig();
        await using var setup = await Backend.CreateAsync(config, TimeProvider.System, cts.Token);
        var runtimes = new List<GraphRuntime>();
        try
        {
            for (var n = 0; n < Nodes; n++)
            {
                var store = await setup.OpenStoreAsync(cts.Token);
                runtimes.Add(await GraphRuntime.StartAsync(store, new ConfigHolder(config), TimeProvider.System, setup.MarkDirectory, null, cts.Token));
            }

            var taskIds = new ConcurrentBag<string>();
            var workerIds = new ConcurrentBag<string>();
            var errors = new ConcurrentBag<string>();
            var loops = Nodes * LoopsPerNode;
            var clock = Stopwatch.StartNew();
            var outcomes = await RulesHarness.RaceAsync(loops, async loop =>
            {
                var node = runtimes[loop % Nodes];
                var quota = (TaskCount / loops) + (loop < TaskCount % loops ? 1 : 0);
                for (var op = 0; quota > 0; op++)
                {
                    try
                    {
                        if (op % ConnectEvery == 0)
                        {
                            workerIds.Add((await node.Workers.ConnectAsync(new ConnectRequest(), cts.Token)).Worker.Id);
                        }

                        if (op % TreeEvery == TreeEvery - 1 && quota >= 3)
                        {
                            // A small tree: a root and two children (contains), the second following the first.
                            var tree = new TreeNode
                            {
                                Task = new CreateTaskRequest { Title = "root" },
                                Children = [new TreeNode { Task = new CreateTaskRequest { Title = "one" } }, new TreeNode { Task = new CreateTaskRequest { Title = "two" } }],
                            };
                            var created = await node.Tasks.CreateTreeAsync(tree, null, "contains", "follows", null, cts.Token);
                            foreach (var id in created.AllIds)
                            {
                                taskIds.Add(id);
                            }

                            quota -= created.AllIds.Count;
                        }
                        else
                        {
                            taskIds.Add((await node.Tasks.CreateAsync(new CreateTaskRequest { Title = "generated" }, cts.Token)).Task.Id);
                            quota--;
                        }
                    }
                    catch (TaskGraphException ex)
                    {
                        errors.Add($"{ex.Code}: {ex.Message}");
                        quota--;
                    }
                }
            }, cts.Token);
            clock.Stop();
            output.WriteLine($"{Backend}: {TaskCount} tasks and {workerIds.Count} workers with generated ids in {clock.Elapsed.TotalSeconds:F1} s ({TaskCount / clock.Elapsed.TotalSeconds:F0} tasks/s)");

            Assert.All(outcomes, o => Assert.Null(o));
            Assert.Empty(errors);
            Assert.Equal(TaskCount, taskIds.Count);
            Assert.Equal(TaskCount, taskIds.Distinct(StringComparer.Ordinal).Count());
            Assert.Equal(workerIds.Count, workerIds.Distinct(StringComparer.Ordinal).Count());
            Assert.Equal(TaskCount, (await setup.Store.ListAsync(RecordKeys.TaskPrefix, cts.Token)).Count);
            Assert.Equal(workerIds.Count, (await setup.Store.ListAsync(RecordKeys.WorkerPrefix, cts.Token)).Count);

            // Every tree edge points at a task that exists under its final id.
            var stored = (await setup.Store.ListAsync(RecordKeys.TaskPrefix, cts.Token)).Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
            var edges = (await setup.Context.Records.GetDependenciesAsync(cts.Token)).Value.Edges;
            Assert.NotEmpty(edges);
            Assert.All(edges, e => Assert.True(stored.Contains(RecordKeys.Task(e.From)) && stored.Contains(RecordKeys.Task(e.To)), $"{e.From} -> {e.To}"));
        }
        finally
        {
            foreach (var runtime in runtimes)
            {
                await runtime.DisposeAsync();
            }
        }
    }
}
