namespace TaskGraph.UpstreamCompat.Tests;

/// <summary>Where task-graph-mcp's config files are: <c>../shared/compat/task-graph-mcp-config</c> beside the checkout.</summary>
internal static class CompatPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The real task-graph-mcp config directory, read in place (never copied into the repository).</summary>
    public static string ConfigDir { get; } = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "compat", "task-graph-mcp-config"));

    /// <summary>The config directory; fails the test with a message saying what is missing.</summary>
    public static string RequireConfigDir()
    {
        Assert.True(Directory.Exists(ConfigDir),
            $"task-graph-mcp's config files are missing at {ConfigDir}; these tests need ../shared/compat/task-graph-mcp-config beside the checkout.");
        return ConfigDir;
    }

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
