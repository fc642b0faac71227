using System.Text.Json.Nodes;

namespace TaskGraph.Node.Resources;

/// <summary>
/// The project's markdown documentation under <c>&lt;project&gt;/docs</c> (recursively), as <c>docs://</c> resources:
/// listed in <c>docs://index</c>, read by <c>docs://{path}</c> and searched by <c>docs://search/{q}</c>.
/// </summary>
/// <remarks>
/// A path is relative to the docs directory, made of <c>[A-Za-z0-9._/-]</c>, without <c>..</c>, ending in
/// <c>.md</c> or <c>.markdown</c>, at most 256 characters; a symbolic link on the way is refused, so a read never
/// leaves the directory. The scan is bounded (<see cref="MaxFiles"/> files, each up to <see cref="MaxFileBytes"/>).
/// </remarks>
internal sealed class ProjectDocs(string projectDirectory)
{
    /// <summary>The most files listed or searched.</summary>
    public const int MaxFiles = 2_000;

    /// <summary>Larger files are listed but neither read nor searched.</summary>
    public const int MaxFileBytes = 1 << 20;

    /// <summary>The longest path a <c>docs://{path}</c> may name.</summary>
    public const int MaxPathLength = 256;

    /// <summary>The most files a search answers.</summary>
    public const int SearchLimit = 20;

    /// <summary>The most matching lines shown per file.</summary>
    public const int LinesPerFile = 5;

    /// <summary>Lines of context on each side of a matching line.</summary>
    public const int ContextLines = 2;

    private static readonly string[] Extensions = [".md", ".markdown"];

    /// <summary>The docs directory.</summary>
    public string Root { get; } = Path.Combine(projectDirectory, "docs");

    /// <summary>The relative paths of the markdown files, ordinal order (empty when there is no docs directory).</summary>
    public IReadOnlyList<string> List()
    {
        if (!Directory.Exists(Root))
        {
            return [];
        }

        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint | FileAttributes.Hidden, IgnoreInaccessible = true };
        return [.. Directory.EnumerateFiles(Root, "*", options)
            .Select(f => Path.GetRelativePath(Root, f).Replace('\\', '/'))
            .Where(IsValidPath)
            .Order(StringComparer.Ordinal)
            .Take(MaxFiles)];
    }

    /// <summary>Whether <paramref name="path"/> is a path a <c>docs://</c> URI may name.</summary>
    public static bool IsValidPath(string path) =>
        path.Length is > 0 and <= MaxPathLength
        && path.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '/' or '-')
        && !path.Split('/').Any(segment => segment is "" or "." or "..")
        && Extensions.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    /// <summary>The text of the file at <paramref name="path"/>, or null when it is not a readable doc.</summary>
    public string? Read(string path)
    {
        if (!IsValidPath(path))
        {
            return null;
        }

        var full = Root;
        foreach (var segment in path.Split('/'))
        {
            full = Path.Combine(full, segment);
            var info = new FileInfo(full);
            if (info.LinkTarget is not null)
            {
                return null;
            }
        }

        var file = new FileInfo(full);
        return file.Exists && file.Length <= MaxFileBytes ? File.ReadAllText(full) : null;
    }

    /// <summary>
    /// The files matching every term of <paramref name="query"/> (case-insensitive, in the path or the text): those whose
    /// path matches a term first, then by how often the terms occur; each with up to <see cref="LinesPerFile"/> matching
    /// lines and <see cref="ContextLines"/> lines of context around each.
    /// </summary>
    public JsonObject Search(string query)
    {
        var terms = query.Split((char[])[' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries)
            .Select(t => t.ToLowerInvariant()).Distinct().Take(16).ToList();
        var hits = new List<(string Path, int PathHits, int Count, JsonArray Lines)>();
        if (terms.Count > 0)
        {
            foreach (var path in List())
            {
                if (Read(path) is not { } text)
                {
                    continue;
                }

                var lowerPath = path.ToLowerInvariant();
                var lowerText = text.ToLowerInvariant();
                if (!terms.All(t => lowerPath.Contains(t, StringComparison.Ordinal) || lowerText.Contains(t, StringComparison.Ordinal)))
                {
                    continue;
                }

                var pathHits = terms.Count(t => lowerPath.Contains(t, StringComparison.Ordinal));
                var count = terms.Sum(t => Occurrences(lowerText, t));
                hits.Add((path, pathHits, count, Excerpts(text, terms)));
            }
        }

        var results = new JsonArray();
        foreach (var hit in hits.OrderByDescending(h => h.PathHits).ThenByDescending(h => h.Count).ThenBy(h => h.Path, StringComparer.Ordinal).Take(SearchLimit))
        {
            results.Add(new JsonObject
            {
                ["uri"] = "docs://" + hit.Path,
                ["path"] = hit.Path,
                ["filename_match"] = hit.PathHits > 0 ? true : null,
                ["matches"] = hit.Count,
                ["lines"] = hit.Lines,
            });
        }

        return new JsonObject
        {
            ["query"] = query,
            ["terms"] = ResourceJson.Strings(terms),
            ["results"] = results,
            ["count"] = results.Count,
            ["total"] = hits.Count,
        };
    }

    private static int Occurrences(string text, string term)
    {
        var count = 0;
        for (var at = text.IndexOf(term, StringComparison.Ordinal); at >= 0; at = text.IndexOf(term, at + term.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static JsonArray Excerpts(string text, List<string> terms)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        var excerpts = new JsonArray();
        for (var i = 0; i < lines.Length && excerpts.Count < LinesPerFile; i++)
        {
            var lower = lines[i].ToLowerInvariant();
            if (!terms.Any(t => lower.Contains(t, StringComparison.Ordinal)))
            {
                continue;
            }

            var from = Math.Max(0, i - ContextLines);
            var to = Math.Min(lines.Length - 1, i + ContextLines);
            excerpts.Add(new JsonObject
            {
                ["line"] = i + 1,
                ["text"] = lines[i],
                ["context"] = string.Join('\n', lines[from..(to + 1)]),
            });
        }

        return excerpts;
    }
}
