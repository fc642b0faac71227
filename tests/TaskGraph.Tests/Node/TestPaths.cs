namespace TaskGraph.Tests.Node;

/// <summary>Repository locations for tests: the repo root (holds TaskGraph.sln) and the shared compat config, read in place.</summary>
internal static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The real task-graph-mcp config files, outside the repo (never copied into it).</summary>
    public static string CompatConfig { get; } = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "compat", "task-graph-mcp-config"));

    public static string ShippedConfig { get; } = Path.Combine(RepoRoot, "config");

    public static string TempDir(string prefix)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"tg-{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TaskGraph.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"TaskGraph.sln not found above {AppContext.BaseDirectory}");
    }
}
