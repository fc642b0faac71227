using TaskGraph.Core.ReadModels;

namespace TaskGraph.Core.Marks;

/// <summary>What mark_updates returns: marks claimed and released since the worker's cursor, and the new cursor.</summary>
public sealed record MarkUpdates(IReadOnlyList<MarkEvent> NewMarks, IReadOnlyList<MarkEvent> RemovedMarks, ulong Sequence);
