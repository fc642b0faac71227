namespace TaskGraph.Core.Migration;

/// <summary>
/// One change of a graph as a snapshot carries it: a record written (<see cref="SnapshotEntryKind.Put"/>, its value the
/// record's JSON exactly as stored), a record deleted, or a blob. Snapshots and live stores both read as a sequence of
/// entries in commit order, so export, import, diff and migrate are one pipeline (docs/adr/0014).
/// </summary>
/// <param name="Kind">Put, delete or blob.</param>
/// <param name="Key">The record key (<see cref="Storage.RecordKeys"/>), or the blob's name.</param>
/// <param name="Value">The record's UTF-8 JSON, or the blob's bytes; empty for a delete.</param>
/// <param name="Position">Where the change sat in the source's log (0 when the source has no log position for it).</param>
public sealed record SnapshotEntry(SnapshotEntryKind Kind, string Key, ReadOnlyMemory<byte> Value, ulong Position = 0);
