namespace TaskGraph.Core.Migration;

/// <summary>What one entry of a snapshot does to the graph.</summary>
public enum SnapshotEntryKind
{
    /// <summary>Writes a record (a create or the next revision of its key).</summary>
    Put,

    /// <summary>Deletes a record (history snapshots only).</summary>
    Delete,

    /// <summary>A blob's bytes (attachment content kept outside the records, <see cref="Storage.IBlobStore"/>).</summary>
    Blob,
}
