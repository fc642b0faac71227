using TaskGraph.Core.Errors;
using TaskGraph.Core.Graph;

namespace TaskGraph.Core.Marks;

/// <summary>
/// File mark names: <c>lock:</c> names verbatim; paths resolved against the project root (the base directory) with '/'
/// separators and kept relative to it (<c>src/a.cs</c>), so that answers never show the host's directory layout and
/// nodes started in different checkouts of one project agree on a mark's name. A path outside the root stays absolute
/// when it was given absolute, and relative (<c>../x</c>) when it was given relative.
/// </summary>
public static class MarkPaths
{
    /// <summary>The prefix of exclusive lock names.</summary>
    public const string LockPrefix = "lock:";

    /// <summary>True for an exclusive lock name.</summary>
    public static bool IsLock(string file) => file.StartsWith(LockPrefix, StringComparison.Ordinal);

    /// <summary>
    /// Normalises a path ('.' and '..' resolved, '/' separators, relative to <paramref name="baseDirectory"/> when inside
    /// it); lock names unchanged. Control characters are INVALID_FIELD_VALUE for <paramref name="field"/>.
    /// </summary>
    public static string Normalise(string file, string baseDirectory, string field = "file")
    {
        if (string.IsNullOrWhiteSpace(file))
        {
            throw TaskGraphException.Invalid(field, $"{field} must not be empty");
        }

        Limits.Path(file, field);
        if (IsLock(file))
        {
            return file;
        }

        // Outside the root: an absolute path stays as given (normalised); a relative one stays relative ("../x"), so the
        // answer never spells out the directories above the project.
        var root = Trim(Path.GetFullPath(baseDirectory).Replace('\\', '/'));
        var slashed = file.Replace('\\', '/');
        var full = Trim(Path.GetFullPath(slashed, root).Replace('\\', '/'));
        return Relative(full, root) ?? (Path.IsPathRooted(slashed) ? full : Path.GetRelativePath(root, full).Replace('\\', '/'));
    }

    /// <summary>
    /// <paramref name="path"/> relative to <paramref name="root"/> with '/' separators ("." for the root itself), or
    /// null when it lies outside the root.
    /// </summary>
    public static string? Relative(string path, string root)
    {
        var r = Trim(Path.GetFullPath(root).Replace('\\', '/'));
        var p = Trim(Path.GetFullPath(path.Replace('\\', '/'), r).Replace('\\', '/'));
        if (p == r)
        {
            return ".";
        }

        var prefix = r == "/" ? "/" : r + "/";
        return p.StartsWith(prefix, StringComparison.Ordinal) ? p[prefix.Length..] : null;
    }

    private static string Trim(string path) => path.Length > 1 ? path.TrimEnd('/') : path;
}
