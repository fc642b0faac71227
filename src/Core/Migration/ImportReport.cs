namespace TaskGraph.Core.Migration;

/// <summary>What an import did (or, dry, would do).</summary>
/// <param name="DryRun">True when nothing was written.</param>
/// <param name="Mode">replace or merge.</param>
/// <param name="Inserted">Records of the graph the import left in the target (live keys written).</param>
/// <param name="Skipped">Records (or edges) not taken: present already (merge) or unfit (an edge to a missing task, a cycle, a second parent).</param>
/// <param name="Deleted">Records of the target removed first (replace with force).</param>
/// <param name="Changes">Changes written (history snapshots write each revision).</param>
/// <param name="Blobs">Blobs written.</param>
/// <param name="IdMap">Old id to new, when ids were remapped.</param>
public sealed record ImportReport(bool DryRun, string Mode, long Inserted, long Skipped, long Deleted, long Changes, long Blobs, IReadOnlyDictionary<string, string>? IdMap);
