namespace TaskGraph.Core.Storage;

/// <summary>One committed revision of a key as the change log holds it.</summary>
/// <param name="Position">Store-global, strictly increasing position of this change in the log.</param>
/// <param name="Key">The record key.</param>
/// <param name="Revision">The revision the write produced (what a later compare-and-swap names).</param>
/// <param name="Value">The new value; empty for a delete.</param>
/// <param name="Kind">Put or delete.</param>
/// <param name="Timestamp">When the store committed it.</param>
public sealed record RecordChange(ulong Position, string Key, ulong Revision, ReadOnlyMemory<byte> Value, ChangeKind Kind, DateTimeOffset Timestamp);
