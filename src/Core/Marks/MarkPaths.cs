namespace TaskGraph.Core.Marks;

/// <summary>File mark names: <c>lock:</c> names verbatim, paths absolutised against a base directory with '/' separators.</summary>
public static class MarkPaths
{
    /// <summary>The prefix of exclusive lock names.</summary>
    public const string LockPrefix = "lock:";

    /// <summary>True for an exclusive lock name.</summary>
    public static bool IsLock(string file) => file.StartsWith(LockPrefix, StringComparison.Ordinal);

    /// <summary>Normalises a path ('.' and '..' resolved, '/' separators); lock names unchanged.</summary>
    public static string Normalise(string file, string baseDirectory)
    {
        if (IsLock(file))
        {
            return file;
        }

        var full = Path.GetFullPath(file.Replace('\\', '/'), baseDirectory).Replace('\\', '/');
        return full.Length > 1 ? full.TrimEnd('/') : full;
    }
}
