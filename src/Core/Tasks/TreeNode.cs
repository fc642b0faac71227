namespace TaskGraph.Core.Tasks;

/// <summary>One node of create_tree: a new task, or a reference to an existing one, with children.</summary>
public sealed record TreeNode
{
    /// <summary>An existing task to hang into the tree instead of creating one.</summary>
    public string? Ref { get; init; }

    /// <summary>The new task.</summary>
    public CreateTaskRequest Task { get; init; } = new();

    /// <summary>Children, in order.</summary>
    public IReadOnlyList<TreeNode> Children { get; init; } = [];
}
