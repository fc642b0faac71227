namespace TaskGraph.Core.Storage;

/// <summary>Blobs as files in the media directory (<c>server.media_dir</c>): the standalone node's blob store.</summary>
public sealed class MediaDirectoryBlobStore(string directory) : IBlobStore
{
    /// <inheritdoc />
    public string Location { get; } = directory;

    /// <inheritdoc />
    public bool IsLocalDirectory => true;

    /// <inheritdoc />
    public async Task PutAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Location);
        var path = PathOf(name);
        var temp = path + ".tmp";
        await File.WriteAllBytesAsync(temp, data.ToArray(), cancellationToken).ConfigureAwait(false);
        File.Move(temp, path, overwrite: true);
    }

    /// <inheritdoc />
    public async Task<byte[]?> GetAsync(string name, CancellationToken cancellationToken)
    {
        var path = PathOf(name);
        return File.Exists(path) ? await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false) : null;
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        var path = PathOf(name);
        if (!File.Exists(path))
        {
            return Task.FromResult(false);
        }

        File.Delete(path);
        return Task.FromResult(true);
    }

    /// <summary>The file of a blob name (names never hold a separator, so the file is always inside the directory).</summary>
    public string PathOf(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 255 || name.StartsWith('.') || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            throw new ArgumentException($"'{name}' is not a blob name.", nameof(name));
        }

        return Path.Combine(Location, name);
    }
}
