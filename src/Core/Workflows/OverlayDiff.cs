namespace TaskGraph.Core.Workflows;

/// <summary>
/// What adding or removing an overlay changed in a worker's effective workflow: states added, exits added per state,
/// gates added (<c>key</c>, or <c>key(+n)</c> for a key that had gates), prompts modified (<c>enter~s</c>, <c>exit~s</c>).
/// </summary>
public sealed record OverlayDiff(
    IReadOnlyList<string> StatesAdded,
    IReadOnlyDictionary<string, IReadOnlyList<string>> ExitsAdded,
    IReadOnlyList<string> GatesAdded,
    IReadOnlyList<string> PromptsModified);
