using TaskGraph.Core.Workflows;

namespace TaskGraph.Core.Workers;

/// <summary>A worker's overlays after add_overlay or remove_overlay, and what that changed in its effective workflow.</summary>
public sealed record OverlayChange(string WorkerId, IReadOnlyList<string> Overlays, OverlayDiff Diff);
