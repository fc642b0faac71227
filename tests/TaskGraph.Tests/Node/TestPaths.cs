namespace TaskGraph.Tests.Node;

/// <summary>Repository locations for tests: the repo root (holds TaskGraph.sln), the shipped config and the config test fixtures.</summary>
internal static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>
    /// Config files in task-graph-mcp's shape, written for these tests (the real upstream files are only read by
    /// tests/TaskGraph.UpstreamCompat.Tests).
    /// </summary>
    public static string ConfigFixtures { get; } = Path.Combine(RepoRoot, "tests", "TaskGraph.Tests", "Node", "Configuration", "Fixtures");

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
