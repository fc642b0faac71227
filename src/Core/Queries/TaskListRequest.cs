namespace TaskGraph.Core.Queries;

/// <summary>The list_tasks filters as asked, before validation (<see cref="TaskQueries.ListAsync"/> checks them once for every transport).</summary>
public sealed record TaskListRequest
{
    /// <summary>Statuses to include (empty: all).</summary>
    public IReadOnlyList<string> Statuses { get; init; } = [];

    /// <summary>Only tasks ready to claim.</summary>
    public bool Ready { get; init; }

    /// <summary>Only tasks waiting on unfinished predecessors.</summary>
    public bool Blocked { get; init; }

    /// <summary>Only owned tasks.</summary>
    public bool Claimed { get; init; }

    /// <summary>Only tasks of this owner.</summary>
    public string? Owner { get; init; }

    /// <summary>Only children of this task (<c>"null"</c>: roots).</summary>
    public string? Parent { get; init; }

    /// <summary>With <see cref="Parent"/>: all descendants.</summary>
    public bool Recursive { get; init; }

    /// <summary>Only tasks this registered worker qualifies for.</summary>
    public string? Agent { get; init; }

    /// <summary>Tasks having any of these tags.</summary>
    public IReadOnlyList<string> TagsAny { get; init; } = [];

    /// <summary>Tasks having all of these tags.</summary>
    public IReadOnlyList<string> TagsAll { get; init; } = [];

    /// <summary>Only tasks in this phase.</summary>
    public string? Phase { get; init; }

    /// <summary><c>priority</c>, <c>created_at</c> or <c>updated_at</c>.</summary>
    public string? SortBy { get; init; }

    /// <summary><c>asc</c> or <c>desc</c>.</summary>
    public string? SortOrder { get; init; }

    /// <summary>Most tasks (0..1000; null: no limit).</summary>
    public int? Limit { get; init; }

    /// <summary>Tasks to skip.</summary>
    public int Offset { get; init; }
}
