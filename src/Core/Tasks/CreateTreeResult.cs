using TaskGraph.Core.Records;

namespace TaskGraph.Core.Tasks;

/// <summary>The tree's root, every id in pre-order, and warnings prefixed with their task.</summary>
public sealed record CreateTreeResult(TaskRecord Root, IReadOnlyList<string> AllIds, IReadOnlyList<string> PhaseWarnings, IReadOnlyList<string> TagWarnings);
