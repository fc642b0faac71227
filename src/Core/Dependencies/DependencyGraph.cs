using System.Runtime.CompilerServices;
using TaskGraph.Core.Configuration;
using TaskGraph.Core.Graph;
using TaskGraph.Core.Records;

namespace TaskGraph.Core.Dependencies;

/// <summary>
/// Graph questions over one consistent snapshot of the edges. The lookups (edges by source, by target) are built once,
/// on first use, so each question costs the edges it touches, not all of them; <see cref="Of"/> shares one graph per
/// snapshot list, so the rules' many questions about the same revision build them once.
/// </summary>
public sealed class DependencyGraph(IReadOnlyList<DependencyEdge> edges, IReadOnlyDictionary<string, DependencyTypeDefinition> types)
{
    private static readonly ConditionalWeakTable<IReadOnlyList<DependencyEdge>, DependencyGraph> Shared = [];

    private readonly IReadOnlyDictionary<string, DependencyTypeDefinition> _types = types;
    private ILookup<string, DependencyEdge>? _outOf;
    private EdgeAdjacency? _adjacency;
    private ILookup<string, DependencyEdge>? _into;

    /// <summary>The edges.</summary>
    public IReadOnlyList<DependencyEdge> Edges { get; } = edges;

    private ILookup<string, DependencyEdge> OutOf => _outOf ??= Edges.ToLookup(e => e.From, StringComparer.Ordinal);

    private ILookup<string, DependencyEdge> Into => _into ??= Edges.ToLookup(e => e.To, StringComparer.Ordinal);

    private IEnumerable<DependencyEdge> EdgesOutOf(string taskId) =>
        _adjacency is { } a ? (a.OutOf.TryGetValue(taskId, out var edges) ? edges : []) : OutOf[taskId];

    private IEnumerable<DependencyEdge> EdgesInto(string taskId) =>
        _adjacency is { } a ? (a.Into.TryGetValue(taskId, out var edges) ? edges : []) : Into[taskId];

    /// <summary>
    /// The graph of an edge list that is never changed afterwards (a snapshot the store layer handed out), shared by
    /// every caller asking about the same list with the same types.
    /// </summary>
    public static DependencyGraph Of(IReadOnlyList<DependencyEdge> snapshot, IReadOnlyDictionary<string, DependencyTypeDefinition> types)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (Shared.TryGetValue(snapshot, out var graph) && ReferenceEquals(graph._types, types))
        {
            return graph;
        }

        graph = new DependencyGraph(snapshot, types) { _adjacency = EdgeAdjacency.Of(snapshot) };
        Shared.AddOrUpdate(snapshot, graph);
        return graph;
    }

    /// <summary>True when the type blocks the start of its target.</summary>
    public bool IsStartBlocking(string type) => _types.TryGetValue(type, out var t) && t.BlocksStart && !t.IsVertical;

    /// <summary>True for parent/child types.</summary>
    public bool IsVertical(string type) => _types.TryGetValue(type, out var t) && t.IsVertical;

    /// <summary>Tasks that must be done before <paramref name="taskId"/> can start.</summary>
    public IEnumerable<string> StartBlockers(string taskId) =>
        EdgesInto(taskId).Where(e => IsStartBlocking(e.Type)).Select(e => e.From).Distinct(StringComparer.Ordinal);

    /// <summary>Tasks whose start <paramref name="taskId"/> blocks.</summary>
    public IEnumerable<string> StartDependents(string taskId) =>
        EdgesOutOf(taskId).Where(e => IsStartBlocking(e.Type)).Select(e => e.To).Distinct(StringComparer.Ordinal);

    /// <summary>True when the graph holds exactly this edge.</summary>
    public bool Contains(DependencyEdge edge)
    {
        ArgumentNullException.ThrowIfNull(edge);
        return EdgesOutOf(edge.From).Contains(edge);
    }

    /// <summary>Direct children (vertical edges from the task).</summary>
    public IEnumerable<string> Children(string taskId) =>
        EdgesOutOf(taskId).Where(e => IsVertical(e.Type)).Select(e => e.To).Distinct(StringComparer.Ordinal);

    /// <summary>The parent, if any (also among <paramref name="pending"/>, edges about to be added).</summary>
    public DependencyEdge? ParentEdge(string taskId, IReadOnlyList<DependencyEdge>? pending = null) =>
        EdgesInto(taskId).FirstOrDefault(e => IsVertical(e.Type)) ?? pending?.FirstOrDefault(e => e.To == taskId && IsVertical(e.Type));

    /// <summary>All descendants over vertical edges, pre-order.</summary>
    public IReadOnlyList<string> Descendants(string taskId)
    {
        var result = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal) { taskId };
        var stack = new Stack<string>(Children(taskId).Reverse());
        while (stack.Count > 0)
        {
            var id = stack.Pop();
            if (!seen.Add(id))
            {
                continue;
            }

            result.Add(id);
            foreach (var child in Children(id).Reverse())
            {
                stack.Push(child);
            }
        }

        return result;
    }

    /// <summary>
    /// True when adding <paramref name="from"/> -> <paramref name="to"/> of <paramref name="type"/> would close a cycle:
    /// a path from <paramref name="to"/> back to <paramref name="from"/> over edges of the same family (start-blocking or
    /// vertical), in this graph or among <paramref name="pending"/> (edges about to be added with it).
    /// </summary>
    public bool WouldCycle(string from, string to, string type, IReadOnlyList<DependencyEdge>? pending = null)
    {
        if (from == to)
        {
            return true;
        }

        var vertical = IsVertical(type);
        if (!vertical && !IsStartBlocking(type))
        {
            return false;
        }

        bool InFamily(DependencyEdge e) => vertical ? IsVertical(e.Type) : IsStartBlocking(e.Type);
        var extra = (pending ?? []).Where(InFamily).ToLookup(e => e.From, e => e.To, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>();
        queue.Enqueue(to);
        while (queue.Count > 0)
        {
            var node = queue.Dequeue();
            if (node == from)
            {
                return true;
            }

            if (!seen.Add(node))
            {
                continue;
            }

            foreach (var edge in EdgesOutOf(node))
            {
                if (InFamily(edge))
                {
                    queue.Enqueue(edge.To);
                }
            }

            foreach (var next in extra[node])
            {
                queue.Enqueue(next);
            }
        }

        return false;
    }
}
