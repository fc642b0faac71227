namespace TaskGraph.Node.Swarm;

/// <summary>The generated graph as the simulator knows it: the task ids, the containers with their children, and what generating it cost.</summary>
internal sealed class SwarmGraph
{
    /// <summary>Every task the generator created (in creation order).</summary>
    public List<string> TaskIds { get; } = [];

    /// <summary>Containers (tasks with <c>contains</c> children) and their children, in order.</summary>
    public Dictionary<string, List<string>> Children { get; } = new(StringComparer.Ordinal);

    /// <summary>Dependency edges added (contains, sibling follows, and the cross-unit blocks and follows).</summary>
    public int Edges { get; set; }

    /// <summary><c>create_tree</c> calls refused with ALREADY_EXISTS for a generated id (issue 9, item 1).</summary>
    public int IdCollisions { get; set; }

    /// <summary>Trees that, after repeated id collisions, were built one <c>create</c> (with parent) at a time instead.</summary>
    public int TreeFallbacks { get; set; }
}
