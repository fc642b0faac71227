namespace TaskGraph.Core.Queries;

/// <summary>
/// One committed change, as an agent waiting for news sees it: where it is in the store's log, what kind of record and
/// which one, and for tasks the change kind, status, owner and actor of the new revision.
/// </summary>
public sealed record GraphEvent
{
    /// <summary>The change's position in the store's log (pass the last one as <c>since</c>).</summary>
    public required ulong Position { get; init; }

    /// <summary><c>task</c>, <c>mark</c>, <c>dependency</c> or <c>worker</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The task id, file path or worker id (absent for the dependency graph).</summary>
    public string? Id { get; init; }

    /// <summary>For tasks the change kind (<c>create</c>, <c>claim</c>, <c>status</c>, ...); else <c>put</c> or <c>delete</c>.</summary>
    public required string Change { get; init; }

    /// <summary>A task's status after the change.</summary>
    public string? Status { get; init; }

    /// <summary>A task's owner after the change, or a mark's holder.</summary>
    public string? Owner { get; init; }

    /// <summary>Who made the change, when the record says.</summary>
    public string? Actor { get; init; }

    /// <summary>When the store committed it (Unix ms).</summary>
    public long At { get; init; }
}
