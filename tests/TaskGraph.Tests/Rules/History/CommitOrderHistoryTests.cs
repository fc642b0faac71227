using System.Collections.Concurrent;
using TaskGraph.Core.Configuration;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Records;
using TaskGraph.Core.Runtime;
using TaskGraph.Core.Storage;

namespace TaskGraph.Tests.Rules.History;

/// <summary>
/// Invariant 5 with three nodes writing at once: each node's read model (a <see cref="GraphRuntime"/> following the store)
/// shows every committed status transition exactly once, in the store's commit order, and all nodes agree.
/// </summary>
public abstract class CommitOrderHistoryTests
{
    private const int Nodes = 3;
    private const int Agents = 6;
    private const int Tasks = 18;

    /// <summary>Where the nodes keep their data.</summary>
    protected abstract RulesBackend Backend { get; }

    [Fact]
    public async Task After_a_claim_race_with_completions_on_three_nodes_every_read_model_shows_each_transition_once_in_commit_order()
    {
        using var cts = RulesHarness.Timeout();
        var config = new TaskGraphConfig { Server = new ServerSettings { ClaimLimit = Tasks } };
        await using var setup = await Backend.CreateAsync(config, TimeProvider.System, cts.Token);
        var runtimes = new List<GraphRuntime>();
        try
        {
            for (var n = 0; n < Nodes; n++)
            {
                var store = await setup.OpenStoreAsync(cts.Token);
                runtimes.Add(await GraphRuntime.StartAsync(store, new ConfigHolder(config), TimeProvider.System, setup.MarkDirectory, null, cts.Token));
            }

            for (var t = 0; t < Tasks; t++)
            {
                await setup.CreateAsync($"t{t}", cts.Token);
            }

            for (var a = 0; a < Agents; a++)
            {
                await setup.ConnectAsync($"agent{a}", cts.Token);
            }

            // Every agent walks all tasks from its own starting point: claim, and complete what it won.
            var completedBy = new ConcurrentDictionary<string, string>();
            var outcomes = await RulesHarness.RaceAsync(Agents, async a =>
            {
                var node = runtimes[a % Nodes];
                var agent = $"agent{a}";
                for (var i = 0; i < Tasks; i++)
                {
                    var task = $"t{((a * 3) + i) % Tasks}";
                    try
                    {
                        await node.Tasks.ClaimAsync(agent, task, false, cts.Token);
                    }
                    catch (TaskGraphException ex) when (ex.Code is ErrorCodes.AlreadyClaimed or ErrorCodes.InvalidState)
                    {
                        continue;
                    }

                    await node.Tasks.UpdateAsync(new Core.Tasks.UpdateTaskRequest { WorkerId = agent, TaskId = task, Status = "completed", Reason = "done by " + agent }, cts.Token);
                    Assert.True(completedBy.TryAdd(task, agent), $"{task} completed twice");
                }
            }, cts.Token);
            Assert.All(outcomes, o => Assert.Null(o));
            Assert.Equal(Tasks, completedBy.Count);

            // What the store committed, read from its own log: every revision of every task whose status differs from the last.
            var expected = new List<(ulong Position, string TaskId, string Status, string? Worker, long Timestamp)>();
            for (var t = 0; t < Tasks; t++)
            {
                string? previous = null;
                foreach (var change in await setup.Store.HistoryAsync(RecordKeys.Task($"t{t}"), 0, cts.Token))
                {
                    var record = RecordJson.Deserialize<TaskRecord>(change.Value);
                    if (record.Status != previous)
                    {
                        expected.Add((change.Position, record.Id, record.Status, record.Owner ?? record.Change?.Actor, RecordJson.ChangedAtOf(change.Value) ?? change.Timestamp.ToUnixTimeMilliseconds()));
                    }

                    previous = record.Status;
                }
            }

            expected.Sort((x, y) => x.Position.CompareTo(y.Position));
            foreach (var (taskId, agent) in completedBy)
            {
                var statuses = expected.Where(e => e.TaskId == taskId).Select(e => (e.Status, e.Worker)).ToList();
                Assert.Equal([("pending", null), ("working", agent), ("completed", agent)], statuses);
            }

            var position = await setup.Store.GetPositionAsync(cts.Token);
            var views = new List<string>();
            foreach (var runtime in runtimes)
            {
                await runtime.Reads.WaitForPositionAsync(position, cts.Token);
                var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                for (var t = 0; t < Tasks; t++)
                {
                    var rows = runtime.Reads.GetTaskHistory($"t{t}", null, _ => false, now).History;
                    Assert.Equal(
                        expected.Where(e => e.TaskId == $"t{t}").Select(e => (e.Status, e.Worker, e.Timestamp)),
                        rows.Select(r => (r.Status, r.WorkerId, r.Timestamp)));
                }

                // Across tasks too: the project history, oldest first, is the store's commit order.
                var project = runtime.Reads.GetProjectHistory(null, null, null, int.MaxValue, now).Transitions.Reverse().ToList();
                Assert.Equal(expected.Select(e => (e.TaskId, e.Status, e.Worker)), project.Select(r => (r.TaskId, r.Status, r.WorkerId)));
                views.Add(string.Join("\n", project.Select(r => $"{r.TaskId}|{r.Status}|{r.WorkerId}|{r.Timestamp}|{r.EndTimestamp}")));
            }

            Assert.All(views, v => Assert.Equal(views[0], v));
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
