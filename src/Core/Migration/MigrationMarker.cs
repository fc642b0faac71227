namespace TaskGraph.Core.Migration;

/// <summary>
/// The record a migration keeps in its target while it runs (<see cref="GraphKeys.MigrationMarker"/>): which source it
/// copies, and the target's log position when copying began, so a rerun after an interruption resumes instead of
/// refusing a non-empty target.
/// </summary>
/// <param name="From">The source, as named on the command line.</param>
/// <param name="After">The target's position before the first copied change.</param>
/// <param name="StartedAt">When the migration began (epoch ms).</param>
public sealed record MigrationMarker(string From, ulong After, long StartedAt);
