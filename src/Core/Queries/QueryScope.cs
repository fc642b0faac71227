namespace TaskGraph.Core.Queries;

/// <summary>
/// Who a query answers for. Today every transport passes <see cref="Everything"/> (tag scope is enforced by the node's
/// authorization filter); the parameter is where a principal's visibility will narrow a query without changing its callers.
/// </summary>
public sealed record QueryScope
{
    /// <summary>No narrowing: the whole graph.</summary>
    public static QueryScope Everything { get; } = new();

    /// <summary>The principal the query answers for (null: the local operator or an unauthenticated transport).</summary>
    public string? Principal { get; init; }
}
