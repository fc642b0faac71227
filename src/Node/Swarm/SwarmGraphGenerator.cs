using TaskGraph.Core.Errors;
using TaskGraph.Core.Records;
using TaskGraph.Core.Runtime;
using TaskGraph.Core.Tasks;

namespace TaskGraph.Node.Swarm;

/// <summary>
/// Generates a DAG of tasks with generated ids: top-level units, each a single task (<c>create</c>) or a tree
/// (<c>create_tree</c>, <c>contains</c> edges, sometimes <c>follows</c> between siblings), and <c>blocks</c> /
/// <c>follows</c> edges from tasks of earlier units to tasks of later ones. Cross-unit edges only point forward in unit
/// order and trees only wait on their own subtrees and earlier siblings, so no task can wait on itself (no deadlock).
/// </summary>
internal sealed partial class SwarmGraphGenerator(IReadOnlyList<GraphRuntime> runtimes, SwarmOptions options, ILogger logger)
{
    private const string Actor = "swarm-generator";
    private const double TreeShare = 0.3;
    private const double BlocksRate = 0.3;
    private const double FollowsRate = 0.1;
    private const int UnitWindow = 200;
    private const int WaveSize = 250;
    private const int TreeAttempts = 3;

    public async Task<SwarmGraph> GenerateAsync(CancellationToken cancellationToken)
    {
        var rng = new Random(options.Seed);
        var units = Plan(rng);
        var graph = new SwarmGraph();
        var unitIds = new List<string>[units.Count];
        using var treeGate = new SemaphoreSlim(1);
        var created = 0;
        var first = 0;
        while (first < units.Count)
        {
            var last = first;
            var size = 0;
            while (last < units.Count && size < WaveSize)
            {
                size += units[last].Count;
                last++;
            }

            // Units of one wave are created concurrently, spread over the nodes; trees one at a time (each rewrites the edges record).
            using var parallel = new SemaphoreSlim(8);
            var work = Enumerable.Range(first, last - first).Select(async u =>
            {
                await parallel.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    var runtime = runtimes[u % runtimes.Count];
                    unitIds[u] = units[u].Children.Count == 0
                        ? [await CreateAsync(runtime, units[u], null, cancellationToken).ConfigureAwait(false)]
                        : await CreateTreeAsync(runtime, units[u], graph, treeGate, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    parallel.Release();
                }
            });
            await Task.WhenAll(work).ConfigureAwait(false);

            var edges = new List<DependencyEdge>();
            for (var u = first; u < last; u++)
            {
                RecordTree(units[u], unitIds[u], graph);
                foreach (var id in unitIds[u])
                {
                    if (u == 0)
                    {
                        continue;
                    }

                    if (rng.NextDouble() < BlocksRate)
                    {
                        edges.Add(new DependencyEdge(Pick(rng, unitIds, u), id, "blocks"));
                    }

                    if (rng.NextDouble() < FollowsRate)
                    {
                        edges.Add(new DependencyEdge(Pick(rng, unitIds, u), id, "follows"));
                    }
                }
            }

            edges = [.. edges.Distinct()];
            if (edges.Count > 0)
            {
                await RetryAsync(() => runtimes[0].Dependencies.AddEdgesAsync(edges, Actor, cancellationToken), cancellationToken).ConfigureAwait(false);
                graph.Edges += edges.Count;
            }

            created += size;
            LogProgress(logger, created, options.Tasks, graph.Edges);
            first = last;
        }

        for (var u = 0; u < units.Count; u++)
        {
            graph.TaskIds.AddRange(unitIds[u]);
        }

        return graph;
    }

    private static string Pick(Random rng, List<string>[] unitIds, int unit)
    {
        var from = unitIds[rng.Next(Math.Max(0, unit - UnitWindow), unit)];
        return from[rng.Next(from.Count)];
    }

    private List<PlannedTask> Plan(Random rng)
    {
        var units = new List<PlannedTask>();
        var planned = 0;
        var n = 0;
        while (planned < options.Tasks)
        {
            var remaining = options.Tasks - planned;
            var unit = remaining >= 3 && rng.NextDouble() < TreeShare ? PlanTree(rng, Math.Min(remaining, rng.Next(3, 13)), ref n) : new PlannedTask($"Task {++n}", rng.Next(0, 11), [], false);
            units.Add(unit);
            planned += unit.Count;
        }

        return units;
    }

    private static PlannedTask PlanTree(Random rng, int size, ref int n)
    {
        // A root with children; with more than five tasks, the first children get children of their own.
        var root = new PlannedTask($"Epic {++n}", rng.Next(0, 11), [], rng.NextDouble() < 0.3);
        var left = size - 1;
        var direct = size > 5 ? Math.Max(2, left / 3) : left;
        for (var i = 0; i < direct; i++)
        {
            root.Children.Add(new PlannedTask($"Task {++n}", rng.Next(0, 11), [], false));
        }

        left -= direct;
        for (var i = 0; left > 0; i = (i + 1) % direct)
        {
            root.Children[i].Children.Add(new PlannedTask($"Step {++n}", rng.Next(0, 11), [], false));
            left--;
        }

        return root;
    }

    private static async Task<string> CreateAsync(GraphRuntime runtime, PlannedTask task, string? parent, CancellationToken cancellationToken) =>
        (await RetryAsync(() => runtime.Tasks.CreateAsync(task.Request with { Parent = parent }, cancellationToken), cancellationToken).ConfigureAwait(false)).Task.Id;

    private static async Task<List<string>> CreateTreeAsync(GraphRuntime runtime, PlannedTask root, SwarmGraph graph, SemaphoreSlim treeGate, CancellationToken cancellationToken)
    {
        await treeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 0; attempt < TreeAttempts; attempt++)
            {
                try
                {
                    var result = await RetryAsync(
                        () => runtime.Tasks.CreateTreeAsync(root.Tree(), null, "contains", root.SiblingsFollow ? "follows" : null, Actor, cancellationToken),
                        cancellationToken).ConfigureAwait(false);
                    graph.Edges += root.Count - 1 + (root.SiblingsFollow ? root.SiblingPairs : 0);
                    return [.. result.AllIds];
                }
                catch (TaskGraphException ex) when (ex.Code is ErrorCodes.AlreadyExists or ErrorCodes.DependencyCycle)
                {
                    // A generated id collided: ALREADY_EXISTS on insert (the tasks inserted before it stay, as plain tasks the swarm
                    // completes too), or DEPENDENCY_CYCLE before any insert when the drawn id is an existing child ("already has parent").
                    graph.IdCollisions++;
                }
            }

            // Build it one create (with parent) at a time: create retries its own generated ids.
            graph.TreeFallbacks++;
            var ids = new List<string>();
            await CreateSubtreeAsync(runtime, root, null, root.SiblingsFollow, ids, graph, cancellationToken).ConfigureAwait(false);
            return ids;
        }
        finally
        {
            treeGate.Release();
        }
    }

    private static async Task<string> CreateSubtreeAsync(
        GraphRuntime runtime, PlannedTask node, string? parent, bool siblingsFollow, List<string> ids, SwarmGraph graph, CancellationToken cancellationToken)
    {
        var id = await CreateAsync(runtime, node, parent, cancellationToken).ConfigureAwait(false);
        ids.Add(id);
        graph.Edges += parent is null ? 0 : 1;
        string? previous = null;
        foreach (var child in node.Children)
        {
            var childId = await CreateSubtreeAsync(runtime, child, id, siblingsFollow, ids, graph, cancellationToken).ConfigureAwait(false);
            if (siblingsFollow && previous is not null)
            {
                var prev = previous;
                await RetryAsync(() => runtime.Dependencies.LinkAsync([prev], [childId], "follows", Actor, cancellationToken), cancellationToken).ConfigureAwait(false);
                graph.Edges++;
            }

            previous = childId;
        }

        return id;
    }

    /// <summary>Records containers and their children; <paramref name="ids"/> is the tree in pre-order, as create_tree returns it.</summary>
    private static void RecordTree(PlannedTask root, List<string> ids, SwarmGraph graph)
    {
        var next = 0;
        string Walk(PlannedTask node)
        {
            var id = ids[next++];
            if (node.Children.Count > 0)
            {
                graph.Children[id] = [.. node.Children.Select(Walk)];
            }

            return id;
        }

        Walk(root);
    }

    private static async Task<T> RetryAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (TaskGraphException ex) when (ex.Code is ErrorCodes.Conflict or ErrorCodes.StoreUnavailable && attempt < 20)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 50 * attempt)), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task RetryAsync(Func<Task> call, CancellationToken cancellationToken) =>
        await RetryAsync(async () =>
        {
            await call().ConfigureAwait(false);
            return 0;
        }, cancellationToken).ConfigureAwait(false);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "swarm: generated {Created}/{Total} tasks, {Edges} edges")]
    private static partial void LogProgress(ILogger logger, int created, int total, int edges);

    private sealed record PlannedTask(string Title, int Priority, List<PlannedTask> Children, bool SiblingsFollow)
    {
        public int Count => 1 + Children.Sum(c => c.Count);

        public int SiblingPairs => Math.Max(0, Children.Count - 1) + Children.Sum(c => c.SiblingPairs);

        public CreateTaskRequest Request => new() { Title = Title, Priority = Priority, Actor = Actor };

        public TreeNode Tree() => new() { Task = Request, Children = [.. Children.Select(c => c.Tree())] };
    }
}
