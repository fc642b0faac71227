using System.Reflection;
using System.Text.RegularExpressions;
using TaskGraph.Tests.Node;

namespace TaskGraph.Tests.Architecture;

/// <summary>
/// The import graph: Node over Bus over Core, with no namespace cycles inside Core (read from the <c>using</c>
/// directives of <c>src/Core</c>) and no NATS, MCP or ASP.NET in Core (read from the compiled assembly's references).
/// </summary>
[Trait("Lane", "fast")]
public sealed partial class CoreImportGraphTests
{
    [Fact]
    public void Core_namespaces_import_each_other_without_a_cycle()
    {
        var graph = CoreImports();
        Assert.True(graph.Count >= 10, $"expected the Core namespaces, found {graph.Count}");
        var cycle = FindCycle(graph);
        Assert.True(cycle is null, $"namespace cycle inside Core: {string.Join(" -> ", cycle ?? [])}");
    }

    [Fact]
    public void The_cycle_finder_finds_a_cycle_when_there_is_one()
    {
        var graph = new Dictionary<string, HashSet<string>>
        {
            ["A"] = ["B"],
            ["B"] = ["C"],
            ["C"] = ["A"],
            ["D"] = ["A"],
        };
        Assert.Equal(["A", "B", "C", "A"], FindCycle(graph));
        graph["C"].Clear();
        Assert.Null(FindCycle(graph));
    }

    [Fact]
    public void Core_references_no_transport_and_Bus_no_MCP_while_Node_sits_on_both()
    {
        var core = typeof(TaskGraph.Core.Runtime.GraphRuntime).Assembly;
        var bus = typeof(TaskGraph.Bus.KeyValue.NatsRecordStore).Assembly;
        string[] forbiddenInCore = ["NATS", "ModelContextProtocol", "Microsoft.AspNetCore", "TaskGraph.Bus", "taskgraph"];
        Assert.DoesNotContain(References(core), r => forbiddenInCore.Any(f => r.StartsWith(f, StringComparison.OrdinalIgnoreCase)));
        Assert.DoesNotContain(References(bus), r => r.StartsWith("ModelContextProtocol", StringComparison.Ordinal) || r == "taskgraph");
        Assert.Contains("TaskGraph.Core", References(bus));
    }

    [Fact]
    public void Transports_reach_a_graph_only_through_the_rules_and_queries()
    {
        // The read model is Core's own; the runtime hands out rule services and queries, never the store, the rule
        // context or the read model, so no tool can write around the rules.
        var core = typeof(TaskGraph.Core.Runtime.GraphRuntime).Assembly;
        Assert.False(typeof(TaskGraph.Core.ReadModels.ReadModel).IsPublic, "ReadModel must be internal to Core");
        Type[] hidden = [typeof(TaskGraph.Core.Storage.IRecordStore), typeof(TaskGraph.Core.Graph.GraphContext), typeof(TaskGraph.Core.ReadModels.ReadModel), typeof(TaskGraph.Core.Graph.GraphRecords)];
        var leaks = core.GetExportedTypes()
            .Where(t => t.Namespace is "TaskGraph.Core.Runtime" or "TaskGraph.Core.Queries")
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => hidden.Contains(p.PropertyType)).Select(p => $"{t.Name}.{p.Name}"))
            .ToList();
        Assert.True(leaks.Count == 0, $"public members hand out the store or the read model: {string.Join(", ", leaks)}");
    }

    private static List<string> References(Assembly assembly) => [.. assembly.GetReferencedAssemblies().Select(a => a.Name!)];

    /// <summary>Core namespace (last segment) to the Core namespaces its files import.</summary>
    private static Dictionary<string, HashSet<string>> CoreImports()
    {
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var root = Path.Combine(TestPaths.RepoRoot, "src", "Core");
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, file);
            if (relative.StartsWith("bin", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal))
            {
                continue;
            }

            var text = File.ReadAllText(file);
            if (Namespace().Match(text) is not { Success: true } ns)
            {
                continue;
            }

            var from = ns.Groups[1].Value;
            var imports = graph.TryGetValue(from, out var set) ? set : graph[from] = [];
            foreach (Match use in Using().Matches(text))
            {
                if (use.Groups[1].Value != from)
                {
                    imports.Add(use.Groups[1].Value);
                }
            }
        }

        return graph;
    }

    /// <summary>A cycle as a path that ends where it starts, or null.</summary>
    private static List<string>? FindCycle(Dictionary<string, HashSet<string>> graph)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var path = new List<string>();
        List<string>? Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var next in (graph.TryGetValue(node, out var n) ? n : []).Order(StringComparer.Ordinal))
            {
                if (state.GetValueOrDefault(next) == 1)
                {
                    return [.. path.SkipWhile(p => p != next), next];
                }

                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } found)
                {
                    return found;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }

        foreach (var node in graph.Keys.Order(StringComparer.Ordinal))
        {
            if (state.GetValueOrDefault(node) == 0 && Visit(node) is { } cycle)
            {
                return cycle;
            }
        }

        return null;
    }

    [GeneratedRegex(@"^namespace TaskGraph\.Core\.(\w+);", RegexOptions.Multiline)]
    private static partial Regex Namespace();

    [GeneratedRegex(@"^using TaskGraph\.Core\.(\w+);", RegexOptions.Multiline)]
    private static partial Regex Using();
}
