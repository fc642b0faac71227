using System.Collections.Concurrent;
using TaskGraph.Core.Configuration;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Records;
using TaskGraph.Core.Runtime;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Tasks;

namespace TaskGraph.Tests.Rules.Claims;

/// <summary>
/// Claim-next under a crowd: 16 agents on 3 nodes (3 <see cref="GraphRuntime"/>s, each with its own read model, over one
/// store) drain 300 tasks with tags and a dependency DAG, each agent looping claim-next, complete until NO_READY_TASK says
/// nothing is blocked or claimed any more. The store's own history then shows every task claimed exactly once, by an agent
/// whose tags qualify, after all its predecessors completed; every task completed; and NO_READY_TASK for everyone at the end.
/// </summary>
public abstract class ClaimNextRaceTests(ITestOutputHelper output)
{
    private const int Nodes = 3;
    private const int Agents = 16;
    private const int Tasks = 300;

    // Agent tag sets, four agents each; every task profile below is satisfied by at least one of them.
    private static readonly string[][] AgentTags = [["rust"], ["go"], ["rust", "ui"], []];

    private static readonly (string[] Needed, string[] Wanted)[] Profiles =
    [
        ([], []),
        ([], []),
        (["rust"], []),
        (["go"], []),
        (["rust", "ui"], []),
        ([], ["ui", "go"]),
        (["rust"], ["ui"]),
    ];

    /// <summary>Where the nodes keep their data.</summary>
    protected abstract RulesBackend Backend { get; }

    [Fact]
    public async Task Sixteen_agents_on_three_nodes_drain_a_tagged_dag_each_task_claimed_once_by_a_qualified_agent_after_its_blockers()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var ct = cts.Token;
        await using var setup = await Backend.CreateAsync(time: TimeProvider.System, cancellationToken: ct);
        var runtimes = new List<GraphRuntime>();
        try
        {
            for (var n = 0; n < Nodes; n++)
            {
                runtimes.Add(await GraphRuntime.StartAsync(await setup.OpenStoreAsync(ct), new ConfigHolder(setup.Config.Current), TimeProvider.System, setup.MarkDirectory, null, ct));
            }

            var random = new Random(9);
            var predecessors = new Dictionary<string, List<string>>();
            for (var t = 0; t < Tasks; t++)
            {
                var (needed, wanted) = Profiles[random.Next(Profiles.Length)];
                var id = $"t{t:D3}";
                await setup.Tasks.CreateAsync(
                    new CreateTaskRequest { Id = id, Title = id, Priority = random.Next(0, 11), NeededTags = needed, WantedTags = wanted, Tags = [$"area{t % 4}"] }, ct);
                var preds = t < 10 ? [] : Enumerable.Range(0, random.Next(0, 3)).Select(_ => $"t{random.Next(0, t):D3}").Distinct().ToList();
                predecessors[id] = preds;
                if (preds.Count > 0)
                {
                    var linked = await setup.Dependencies.LinkAsync(preds, [id], "blocks", null, ct);
                    Assert.Empty(linked.Errors);
                }
            }

            var agentTags = new Dictionary<string, string[]>();
            for (var a = 0; a < Agents; a++)
            {
                agentTags[$"agent{a:D2}"] = AgentTags[a % AgentTags.Length];
                await setup.ConnectAsync($"agent{a:D2}", ct, AgentTags[a % AgentTags.Length]);
            }

            var claims = new ConcurrentBag<(string Agent, string Task, int Attempts)>();
            var waits = 0;
            var conflicts = 0;
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var agents = agentTags.Keys.Select((agent, a) => Task.Run(async () =>
            {
                var node = runtimes[a % Nodes];
                await gate.Task.WaitAsync(ct);
                while (true)
                {
                    ClaimNextResult next;
                    try
                    {
                        next = await node.ClaimNext.ClaimNextAsync(new ClaimNextRequest { WorkerId = agent }, ct);
                    }
                    catch (TaskGraphException ex) when (ex.Code == ErrorCodes.NoReadyTask)
                    {
                        if ((int)ex.Details!["blocked"]! + (int)ex.Details["claimed"]! == 0)
                        {
                            return;
                        }

                        // Others still hold tasks, or tasks wait on them: they become ready as those complete.
                        Interlocked.Increment(ref waits);
                        await Task.Delay(TimeSpan.FromMilliseconds(10), ct);
                        continue;
                    }
                    catch (TaskGraphException ex) when (ex.Code == ErrorCodes.Conflict)
                    {
                        Interlocked.Increment(ref conflicts);
                        continue;
                    }

                    claims.Add((agent, next.Claim.Task.Id, next.Attempts));
                    await node.Tasks.UpdateAsync(new UpdateTaskRequest { WorkerId = agent, TaskId = next.Claim.Task.Id, Status = "completed" }, ct);
                }
            }, ct)).ToList();
            var started = TimeProvider.System.GetTimestamp();
            gate.SetResult();
            await Task.WhenAll(agents).WaitAsync(ct);
            var elapsed = TimeProvider.System.GetElapsedTime(started);

            // Every task claimed by exactly one successful claim-next, all completed.
            var claimed = claims.GroupBy(c => c.Task).ToDictionary(g => g.Key, g => g.ToList());
            Assert.Equal(Tasks, claims.Count);
            Assert.Equal(Tasks, claimed.Count);
            var completedAt = new Dictionary<string, ulong>();
            var claimedAt = new Dictionary<string, (ulong Position, string Actor)>();
            for (var t = 0; t < Tasks; t++)
            {
                var id = $"t{t:D3}";
                var history = await setup.Store.HistoryAsync(RecordKeys.Task(id), 0, ct);
                var revisions = history.Where(c => c.Kind == ChangeKind.Put).Select(c => (c.Position, Task: RecordJson.Deserialize<TaskRecord>(c.Value))).ToList();
                var claimRevisions = revisions.Where(r => r.Task.Change?.Kind == "claim").ToList();
                var claim = Assert.Single(claimRevisions);
                Assert.Equal(claim.Task.Owner, claim.Task.Change!.Actor);
                Assert.Equal(claimed[id].Single().Agent, claim.Task.Owner);
                claimedAt[id] = (claim.Position, claim.Task.Owner!);
                var completion = Assert.Single(revisions, r => r.Task.Status == "completed" && r.Task.Change?.FromStatus != "completed");
                completedAt[id] = completion.Position;
                Assert.Equal("completed", revisions[^1].Task.Status);

                // The claimant may take it: all needed tags, one wanted tag if any are wanted.
                var tags = agentTags[claim.Task.Owner!];
                Assert.All(claim.Task.NeededTags, tag => Assert.Contains(tag, tags));
                Assert.True(claim.Task.WantedTags.Count == 0 || claim.Task.WantedTags.Any(tags.Contains), $"{claim.Task.Owner} lacks the wanted tags of {id}");
            }

            // Never claimed while blocked: each predecessor completed earlier in the store's commit order.
            foreach (var (id, preds) in predecessors)
            {
                Assert.All(preds, p => Assert.True(completedAt[p] < claimedAt[id].Position, $"{id} claimed at {claimedAt[id].Position} before {p} completed at {completedAt[p]}"));
            }

            // Drained: NO_READY_TASK with nothing blocked, claimed or mismatched, for every agent on every node, and no reservations left.
            for (var a = 0; a < Agents; a++)
            {
                var agent = $"agent{a:D2}";
                var none = await RulesHarness.FailsAsync(ErrorCodes.NoReadyTask, () => runtimes[(a + 1) % Nodes].ClaimNext.ClaimNextAsync(new ClaimNextRequest { WorkerId = agent }, ct));
                Assert.Equal((0, 0, 0), ((int)none.Details!["blocked"]!, (int)none.Details["claimed"]!, (int)none.Details["tag_mismatch"]!));
                Assert.Empty((await setup.WorkerAsync(agent, ct))!.Claims);
            }

            var attempts = claims.Sum(c => c.Attempts);
            output.WriteLine(
                $"{setup.Backend}: {Tasks} tasks drained by {Agents} agents on {Nodes} nodes in {elapsed.TotalSeconds:F1} s; "
                + $"{attempts} claim attempts ({attempts - Tasks} lost candidates, {(double)(attempts - Tasks) / Tasks:F2} per claim), "
                + $"{conflicts} CONFLICT answers, {waits} NO_READY_TASK waits");
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
