namespace TaskGraph.Core.ReadModels;

/// <summary>Filters, order and page of a task listing. Every filter that is set applies (they combine with AND).</summary>
public sealed record TaskListQuery
{
    /// <summary>Statuses to include; empty means any.</summary>
    public IReadOnlyList<string> Statuses { get; init; } = [];

    /// <summary>Only ready tasks (initial state, unowned, unblocked, not a container).</summary>
    public bool Ready { get; init; }

    /// <summary>Only initial-state tasks with at least one unsatisfied start-blocking predecessor.</summary>
    public bool Blocked { get; init; }

    /// <summary>Only tasks that have an owner.</summary>
    public bool Claimed { get; init; }

    /// <summary>Only tasks owned by this worker.</summary>
    public string? Owner { get; init; }

    /// <summary>Only children of this task; the literal <c>"null"</c> means only roots (no incoming <c>contains</c>).</summary>
    public string? Parent { get; init; }

    /// <summary>With <see cref="Parent"/>: all <c>contains</c>-descendants instead of direct children.</summary>
    public bool Recursive { get; init; }

    /// <summary>When set, only tasks this agent qualifies for: needed tags all held, and one wanted tag held if any are wanted.</summary>
    public IReadOnlyList<string>? AgentTags { get; init; }

    /// <summary>Tasks with at least one of these tags.</summary>
    public IReadOnlyList<string> TagsAny { get; init; } = [];

    /// <summary>Tasks with all of these tags.</summary>
    public IReadOnlyList<string> TagsAll { get; init; } = [];

    /// <summary>Only tasks in this phase.</summary>
    public string? Phase { get; init; }

    /// <summary>priority, created_at or updated_at; null = created_at (ready: priority, then created_at).</summary>
    public string? SortBy { get; init; }

    /// <summary>asc or desc; null = desc.</summary>
    public string? SortOrder { get; init; }

    /// <summary>Page size; null = no limit.</summary>
    public int? Limit { get; init; }

    /// <summary>Rows to skip.</summary>
    public int Offset { get; init; }
}
