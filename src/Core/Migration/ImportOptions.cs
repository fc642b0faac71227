namespace TaskGraph.Core.Migration;

/// <summary>How <see cref="GraphImporter"/> brings a snapshot into a store.</summary>
public sealed record ImportOptions
{
    /// <summary>Replace a non-empty graph (its records are deleted first); without it a non-empty target is refused.</summary>
    public bool Force { get; init; }

    /// <summary>Add to the graph, skipping every record whose key it already has (and edges it cannot take).</summary>
    public bool Merge { get; init; }

    /// <summary>Give every task a fresh id and rewrite every reference to it (edges, marks, claims, attachments).</summary>
    public bool RemapIds { get; init; }

    /// <summary>Attach the snapshot's roots (tasks with no parent in it) under this existing task (implies <see cref="Merge"/>).</summary>
    public string? Parent { get; init; }

    /// <summary>Count what would be inserted, skipped and deleted, and write nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary>Task ids are drawn with this many words (<c>ids.task_id_words</c>) and case when remapping.</summary>
    public int IdWords { get; init; } = 3;

    /// <summary>The id case when remapping (<c>ids.id_case</c>).</summary>
    public string IdCase { get; init; } = "kebab-case";

    /// <summary>Told the number of entries applied so far, now and then.</summary>
    public IProgress<long>? Progress { get; init; }
}
