namespace TaskGraph.Core.Storage;

/// <summary>
/// Where attachment content too large for a record (or stored <c>store_as_file</c>) lives, by name: the media directory
/// standalone, a JetStream object store in distributed mode, so every node reads what any node wrote. A name is made of
/// <c>[A-Za-z0-9._-]</c>; a blob is written once and never changed, only deleted.
/// </summary>
public interface IBlobStore
{
    /// <summary>Where the blobs are, for messages and <c>file_path</c> (a directory, or a bucket's name).</summary>
    string Location { get; }

    /// <summary>Whether blobs are files a local path can name (the media directory).</summary>
    bool IsLocalDirectory { get; }

    /// <summary>Stores <paramref name="data"/> under <paramref name="name"/>, replacing a blob of that name.</summary>
    Task PutAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>The blob's bytes, or null when there is none of that name.</summary>
    Task<byte[]?> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>Deletes the blob (nothing when there is none); true when one was deleted.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken);
}
