namespace TaskGraph.Core.Storage;

/// <summary>A live record: its key, value and the revision a compare-and-swap must name.</summary>
public sealed record RecordEntry(string Key, ReadOnlyMemory<byte> Value, ulong Revision, DateTimeOffset Timestamp);
