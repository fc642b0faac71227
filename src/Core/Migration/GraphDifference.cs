namespace TaskGraph.Core.Migration;

/// <summary>One way two graphs differ.</summary>
/// <param name="Kind">added, removed or modified (a record, edge or blob), or history (a task's revisions differ).</param>
/// <param name="What">record, edge or blob.</param>
/// <param name="Key">The record key, blob name, or <c>from -&gt; to (type)</c> of an edge.</param>
/// <param name="Fields">For a modified record: the top-level fields whose values differ (when read).</param>
/// <param name="Detail">For history: how many revisions each side has.</param>
public sealed record GraphDifference(string Kind, string What, string Key, IReadOnlyList<string>? Fields = null, string? Detail = null);
