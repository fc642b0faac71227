namespace TaskGraph.Core.Workflows;

/// <summary>
/// A role of a workflow (<c>roles.&lt;name&gt;</c>): a worker whose tags overlap the role's tags has it (the first such
/// role by name). Its claim limit caps the worker's; <c>can_assign</c> and <c>can_create_subtasks</c> are reported to the
/// worker, not enforced.
/// </summary>
public sealed record RoleDefinition
{
    /// <summary>The role's name.</summary>
    public required string Name { get; init; }

    /// <summary>What the role does.</summary>
    public string? Description { get; init; }

    /// <summary>The tags that give a worker this role (any of them).</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>At most this many claims for a worker of this role (still capped by <c>server.claim_limit</c>).</summary>
    public int? MaxClaims { get; init; }

    /// <summary>Whether the role hands work to others with <c>update(assignee=...)</c>.</summary>
    public bool? CanAssign { get; init; }

    /// <summary>Whether the role breaks tasks down into subtasks.</summary>
    public bool? CanCreateSubtasks { get; init; }
}
