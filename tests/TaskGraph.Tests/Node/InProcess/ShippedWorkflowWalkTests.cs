using TaskGraph.Core.Configuration;
using TaskGraph.Core.Workflows;
using TaskGraph.Node.Configuration;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.InProcess;

/// <summary>
/// Every workflow shipped in <c>config/</c> is walkable: a worker following it connects, creates a task (which starts in
/// its workflow's initial state), and moves it
/// along the shortest path of exits to the workflow's completed state, attaching the evidence each state's exit gates
/// ask for; every answer is a success and the task ends completed, with every transition in its history.
/// </summary>
[Trait("Lane", "fast")]
public sealed class ShippedWorkflowWalkTests
{
    public static TheoryData<string> Workflows() => [.. Shipped().Workflows.Keys.Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Workflows))]
    public async Task A_worker_walks_the_shipped_workflow_to_its_end(string name)
    {
        var ct = Timeout();
        var config = Shipped();
        var workflow = config.Workflows[name];
        await using var node = await InProcessNode.StartSqliteAsync(ct, config);
        await node.CallAsync("connect", new { worker_id = "walker", workflow = name }, ct);
        await node.CallAsync("create", new { id = "walked", title = $"walk {name}", worker_id = "walker" }, ct);

        var path = ShortestPath(workflow, workflow.Settings.InitialState, workflow.Settings.CompletedState);
        Assert.True(path.Count >= 2, $"{name}: no path from {workflow.Settings.InitialState} to {workflow.Settings.CompletedState}");
        for (var i = 1; i < path.Count; i++)
        {
            foreach (var gate in workflow.Gates.GetValueOrDefault(GateCheck.StatusKey(path[i - 1])) ?? [])
            {
                await node.CallAsync("attach", new { task = "walked", type = gate.Type, content = $"evidence for {gate.Type}" }, ct);
            }

            var moved = await node.CallAsync("update", new { worker_id = "walker", task = "walked", status = path[i] }, ct);
            Assert.Equal(path[i], String(moved, "status"));
            Assert.False(moved.TryGetProperty("gate_warnings", out var warnings) && warnings.GetArrayLength() > 0, $"{name}: {path[i - 1]} -> {path[i]} warned");
        }

        var history = await node.CallAsync("task_history", new { task = "walked" }, ct);
        Assert.Equal(path, history.GetProperty("history").EnumerateArray().Select(h => String(h, "status")!));
    }

    private static TaskGraphConfig Shipped() =>
        ConfigLoader.Load(new ConfigLoadOptions
        {
            ProjectDirectory = TestPaths.TempDir("walk-project"),
            UserDirectory = TestPaths.TempDir("walk-user"),
            InstallDirectories = [TestPaths.ShippedConfig],
        }).Config;

    private static List<string> ShortestPath(WorkflowDefinition workflow, string from, string to)
    {
        var previous = new Dictionary<string, string?>(StringComparer.Ordinal) { [from] = null };
        var queue = new Queue<string>([from]);
        while (queue.Count > 0)
        {
            var state = queue.Dequeue();
            if (state == to)
            {
                var path = new List<string>();
                for (string? s = to; s is not null; s = previous[s])
                {
                    path.Insert(0, s);
                }

                return path;
            }

            foreach (var next in workflow.States.GetValueOrDefault(state)?.Exits ?? [])
            {
                if (previous.TryAdd(next, state))
                {
                    queue.Enqueue(next);
                }
            }
        }

        return [];
    }
}
