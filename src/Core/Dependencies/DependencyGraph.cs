using TaskGraph.Core.Configuration;
using TaskGraph.Core.Records;

namespace TaskGraph.Core.Dependencies;

/// <summary>Graph questions over one consistent snapshot of the edges.</summary>
public sealed class DependencyGraph(IReadOnlyList<DependencyEdge> edges, IReadOnlyDictionary<string, DependencyTypeDefinition> types)
{
    /// <summary>The edges.</summary>
    public IReadOnlyList<DependencyEdge> Edges { get; } = edges;

    /// <summary>True when the type blocks the start of its target.</summary>
    public bool IsStartBlocking(string type) => types.TryGetValue(type, out var t) && t.BlocksStart && !t.IsVertical;

    /// <summary>True for parent/child types.</summary>
    public bool IsVertical(string type) => types.TryGetValue(type, out var t) && t.IsVertical;

    /// <summary>Tasks that must be done before <paramref name="taskId"/> can start.</summary>
    public IEnumerable<string> StartBlockers(string taskId) =>
        Edges.Where(e => e.To == taskId && IsStartBlocking(e.Type)).Select(e => e.From).Distinct(StringComparer.Ordinal);

    /// <summary>Tasks whose start <paramref name="taskId"/> blocks.</summary>
    public IEnumerable<string> StartDependents(string taskId) =>
        Edges.Where(e => e.From == taskId && IsStartBlocking(e.Type)).Select(e => e.To).Distinct(StringComparer.Ordinal);

    /// <summary>Direct children (vertical edges from the task).</summary>
    public IEnumerable<string> Children(string taskId) =>
        Edges.Where(e => e.From == taskId && IsVertical(e.Type)).Select(e => e.To).Distinct(StringComparer.Ordinal);

    /// <summary>The parent, if any.</summary>
    public DependencyEdge? ParentEdge(string taskId) => Edges.FirstOrDefault(e => e.To == taskId && IsVertical(e.Type));

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
    /// a path from <paramref name="to"/> back to <paramref name="from"/> over edges of the same family (start-blocking or vertical).
    /// </summary>
    public bool WouldCycle(string from, string to, string type)
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
        var adjacency = Edges.Where(InFamily).ToLookup(e => e.From, e => e.To, StringComparer.Ordinal);
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

            foreach (var next in adjacency[node])
            {
                queue.Enqueue(next);
            }
        }

        return false;
    }
}
