namespace TaskGraph.Node.Configuration;

/// <summary>Where the loader looks: directories, environment and CLI values. <see cref="FromProcess"/> reads the real ones.</summary>
public sealed record ConfigLoadOptions
{
    /// <summary>The project root (holds <c>task-graph/</c>); TASK_GRAPH_PROJECT_DIR or the working directory.</summary>
    public required string ProjectDirectory { get; init; }

    /// <summary>The user config directory (<c>~/.task-graph</c> or TASK_GRAPH_USER_DIR); null when there is no home.</summary>
    public string? UserDirectory { get; init; }

    /// <summary>Directories with shipped config (lowest file tier), e.g. <c>&lt;exe dir&gt;/config</c>.</summary>
    public IReadOnlyList<string> InstallDirectories { get; init; } = [];

    /// <summary>Environment variables: TASK_GRAPH_* set config keys; any may be named by a ${env:NAME} secret reference.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Command-line values.</summary>
    public ConfigOverrides Cli { get; init; } = new();

    /// <summary>Options for this process: working directory, HOME, TASK_GRAPH_* variables, install dir next to the executable.</summary>
    public static ConfigLoadOptions FromProcess(ConfigOverrides cli)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && entry.Value is string value)
            {
                env[key] = value;
            }
        }

        var home = System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile);
        var userDir = env.GetValueOrDefault("TASK_GRAPH_USER_DIR") is { Length: > 0 } u ? u
            : string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".task-graph");
        var projectDir = env.GetValueOrDefault("TASK_GRAPH_PROJECT_DIR") is { Length: > 0 } p ? Path.GetFullPath(p) : Directory.GetCurrentDirectory();

        return new ConfigLoadOptions
        {
            ProjectDirectory = projectDir,
            UserDirectory = userDir,
            InstallDirectories = InstallDirs(env.GetValueOrDefault("TASK_GRAPH_INSTALL_DIR")),
            Environment = env,
            Cli = cli,
        };
    }

    private static List<string> InstallDirs(string? explicitDir)
    {
        if (!string.IsNullOrEmpty(explicitDir))
        {
            return [Path.GetFullPath(explicitDir)];
        }

        var exeConfig = Path.Combine(AppContext.BaseDirectory, "config");
        if (Directory.Exists(exeConfig))
        {
            return [exeConfig];
        }

        // Running from a build tree without copied content: fall back to the repository's config/.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TaskGraph.sln")))
            {
                return [Path.Combine(dir.FullName, "config")];
            }
        }

        return [];
    }
}
