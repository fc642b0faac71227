using TaskGraph.Core.Workflows;

namespace TaskGraph.Node.Configuration;

/// <summary>
/// Loads the config tiers, lowest first: built-in defaults &lt; project <c>task-graph/config.yaml</c> (or the
/// <c>--config</c> / TASK_GRAPH_CONFIG_PATH file) &lt; user <c>~/.task-graph/config.yaml</c> &lt; TASK_GRAPH_* environment
/// &lt; CLI. Unlike task-graph-mcp, an explicit config file replaces only the project tier; user, environment and CLI
/// still apply. Workflows (<c>workflow-*.yaml</c>) and overlays (<c>overlay-*.yaml</c>) are found in the install,
/// project and user config directories (in that order of precedence, lowest first) and tier-merged by name.
/// Any problem throws <see cref="ConfigException"/> naming the key.
/// </summary>
public static class ConfigLoader
{
    private const string ConfigFileName = "config.yaml";

    /// <summary>Environment variables and the config key each sets.</summary>
    public static IReadOnlyDictionary<string, string> EnvironmentKeys { get; } = new Dictionary<string, string>
    {
        ["TASK_GRAPH_DB_PATH"] = "server.db_path",
        ["TASK_GRAPH_MEDIA_DIR"] = "server.media_dir",
        ["TASK_GRAPH_LOG_DIR"] = "server.log_dir",
        ["TASK_GRAPH_SKILLS_DIR"] = "server.skills_dir",
        ["TASK_GRAPH_CLAIM_LIMIT"] = "server.claim_limit",
        ["TASK_GRAPH_STALE_TIMEOUT"] = "server.stale_timeout_seconds",
        ["TASK_GRAPH_NATS_URL"] = "server.nats.url",
        ["TASK_GRAPH_GRAPH"] = "server.graph",
    };

    /// <summary>Loads and validates the configuration.</summary>
    public static LoadedConfig Load(ConfigLoadOptions options)
    {
        var warnings = new List<string>();
        var sources = new List<string>();
        var (projectFile, projectConfigDir) = ResolveProjectTier(options, warnings);

        var tree = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var file in new[] { projectFile, UserFile(options) })
        {
            if (file is not null && File.Exists(file))
            {
                tree = ConfigTree.Merge(tree, ReadConfigFile(file, warnings));
                sources.Add(file);
            }
        }

        tree = ConfigTree.Merge(tree, EnvironmentTier(options.Environment));
        tree = ConfigTree.Merge(tree, CliTier(options.Cli));

        var reader = new ConfigReader();
        var (config, natsUrl, feedback) = ConfigMapper.Map(tree, reader);
        var nats = NatsSettingsMapper.Map(tree, natsUrl, config.Server.Graph, options.Environment, reader, warnings);
        var http = HttpSettingsMapper.Map(tree, reader);
        var roles = HttpSettingsMapper.MapRoles(tree, reader);
        var jwt = JwtSettingsMapper.Map(tree, reader);
        var notificationWindow = HttpSettingsMapper.MapNotificationWindow(tree, reader);
        var (snapshots, cacheDir) = ReadModelSettingsMapper.Map(tree, reader);
        var graphs = Graphs(config.Server.Graph, options.Cli.MoreGraphs, reader);
        reader.ThrowIfProblems();

        var configDirs = new List<string>(options.InstallDirectories);
        if (projectConfigDir is not null)
        {
            configDirs.Add(projectConfigDir);
        }

        if (options.UserDirectory is not null)
        {
            configDirs.Add(options.UserDirectory);
        }

        var quietDirs = options.InstallDirectories.Select(Path.GetFullPath).ToHashSet(StringComparer.Ordinal);
        var workflowFiles = ReadNamedFiles(configDirs, "workflow-", quietDirs, WorkflowSections, warnings);
        var overlays = ReadNamedFiles(configDirs, "overlay-", quietDirs, OverlaySections, warnings);
        var workflows = new Dictionary<string, WorkflowDefinition>(StringComparer.Ordinal);
        var baseline = new WorkflowDefinition();
        foreach (var (name, file) in workflowFiles)
        {
            var wfReader = new ConfigReader($"workflow-{name}.yaml");
            workflows[name] = WorkflowMapper.Apply(baseline, name, file.Tree, wfReader);
            wfReader.ThrowIfProblems();
        }

        var defaultWorkflow = baseline;
        if (config.Server.DefaultWorkflow is { } wanted)
        {
            if (!workflows.TryGetValue(wanted, out var found))
            {
                throw new ConfigException(
                    $"server.default_workflow: unknown workflow '{wanted}' (no workflow-{wanted}.yaml in {string.Join(", ", configDirs)})");
            }

            defaultWorkflow = found;
        }

        var overlayDefinitions = new Dictionary<string, OverlayDefinition>(StringComparer.Ordinal);
        foreach (var (name, file) in overlays)
        {
            var overlayReader = new ConfigReader($"overlay-{name}.yaml");
            overlayDefinitions[name] = WorkflowMapper.Overlay(name, file.Tree, overlayReader);
            overlayReader.ThrowIfProblems();
        }

        var roleTags = workflows.Values.Prepend(defaultWorkflow).SelectMany(w => w.Roles.Values)
            .Concat(overlayDefinitions.Values.SelectMany(o => o.Roles.Values))
            .SelectMany(r => r.Tags)
            .ToHashSet(StringComparer.Ordinal);
        config = config with
        {
            Workflows = workflows,
            DefaultWorkflow = defaultWorkflow,
            Overlays = overlayDefinitions,
            Tags = config.Tags with { RoleTags = roleTags },
        };
        var problems = config.Validate();
        if (problems.Count > 0)
        {
            throw new ConfigException(string.Join("; ", problems.Distinct()));
        }

        return new LoadedConfig
        {
            Config = config,
            NatsUrl = natsUrl,
            Nats = nats,
            Graphs = graphs,
            FeedbackEnabled = feedback,
            Http = http,
            Roles = roles,
            Jwt = jwt,
            NotificationWindow = notificationWindow,
            ReadModelSnapshots = snapshots,
            CacheDir = cacheDir,
            WorkflowFiles = workflowFiles.ToDictionary(kv => kv.Key, kv => Describe(kv.Key, kv.Value.Tree), StringComparer.Ordinal),
            Overlays = overlays.ToDictionary(kv => kv.Key, kv => Describe(kv.Key, kv.Value.Tree), StringComparer.Ordinal),
            Raw = tree,
            Options = options,
            WatchedDirectories = [.. configDirs.Select(Path.GetFullPath).Where(d => !quietDirs.Contains(d)).Distinct(StringComparer.Ordinal)],
            Sources = [.. sources, .. workflowFiles.Values.SelectMany(f => f.Sources), .. overlays.Values.SelectMany(f => f.Sources)],
            Warnings = warnings,
        };
    }

    /// <summary>
    /// The served graphs: the configured one, then the other <c>--graph</c> names; each a name a bucket and a file can
    /// carry (letters, digits, '-', '_'; at most 64), none twice.
    /// </summary>
    private static List<string> Graphs(string first, IReadOnlyList<string> more, ConfigReader reader)
    {
        var graphs = new List<string>();
        foreach (var graph in more.Prepend(first))
        {
            if (graph.Length is 0 or > 64 || !graph.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                reader.Problem("server.graph", $"graph name '{graph}' must be 1 to 64 letters, digits, '-' or '_'");
            }
            else if (graphs.Contains(graph, StringComparer.Ordinal))
            {
                reader.Problem("server.graph", $"graph '{graph}' is named twice (--graph)");
            }
            else
            {
                graphs.Add(graph);
            }
        }

        return graphs;
    }

    private static (string? File, string? Dir) ResolveProjectTier(ConfigLoadOptions options, List<string> warnings)
    {
        var explicitFile = options.Cli.ConfigFile ?? options.Environment.GetValueOrDefault("TASK_GRAPH_CONFIG_PATH");
        if (!string.IsNullOrEmpty(explicitFile))
        {
            var full = Path.GetFullPath(explicitFile, options.ProjectDirectory);
            if (!File.Exists(full))
            {
                var origin = options.Cli.ConfigFile is null ? "TASK_GRAPH_CONFIG_PATH" : "--config";
                throw new ConfigException($"{origin}: config file not found: {explicitFile}");
            }

            return (full, Path.GetDirectoryName(full));
        }

        var dir = Path.Combine(options.ProjectDirectory, "task-graph");
        if (!Directory.Exists(dir))
        {
            var legacy = Path.Combine(options.ProjectDirectory, ".task-graph");
            if (Directory.Exists(legacy))
            {
                warnings.Add("Using deprecated project config directory '.task-graph/'; rename it to 'task-graph/'.");
                dir = legacy;
            }
        }

        return (Path.Combine(dir, ConfigFileName), Directory.Exists(dir) ? dir : null);
    }

    private static string? UserFile(ConfigLoadOptions options) =>
        options.UserDirectory is null ? null : Path.Combine(options.UserDirectory, ConfigFileName);

    // What a workflow or overlay file may hold that has an effect today; everything else in it is accepted and warned about.
    private static readonly string[] WorkflowSections = ["name", "description", "settings", "states", "phases", "gates", "combos"];
    private static readonly string[] OverlaySections = ["name", "description", "settings", "states", "phases", "gates", "combos"];

    private static Dictionary<string, object?> ReadConfigFile(string path, List<string> warnings)
    {
        var keyOrigins = new Dictionary<string, string>(StringComparer.Ordinal);
        var tree = ReadFile(path, keyOrigins);
        var problems = new List<string>();
        ConfigSchema.Check(tree, keyOrigins, path, problems, warnings);
        return problems.Count > 0 ? throw new ConfigException(string.Join("; ", problems)) : tree;
    }

    /// <summary>One warning line for a workflow or overlay file that holds sections (or prompts) without effect yet.</summary>
    private static void WarnUnimplementedSections(string file, Dictionary<string, object?> tree, string[] implemented, List<string> warnings)
    {
        var ignored = tree.Keys.Where(k => !implemented.Contains(k, StringComparer.Ordinal)).ToList();

        if (ignored.Count > 0)
        {
            warnings.Add($"{file}: {string.Join(", ", ignored)} {(ignored.Count == 1 ? "is" : "are")} accepted but not implemented yet; {(ignored.Count == 1 ? "it has" : "they have")} no effect");
        }
    }

    private static Dictionary<string, object?> ReadFile(string path, Dictionary<string, string>? keyOrigins = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException ex)
        {
            throw new ConfigException($"{path}: cannot read: {ex.Message}");
        }
        catch (UnauthorizedAccessException)
        {
            throw new ConfigException($"{path}: cannot read: access denied");
        }

        return ConfigTree.Parse(text, path, keyOrigins);
    }

    private static Dictionary<string, object?> EnvironmentTier(IReadOnlyDictionary<string, string> env)
    {
        var tier = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, key) in EnvironmentKeys)
        {
            if (env.GetValueOrDefault(name) is { Length: > 0 } value)
            {
                ConfigTree.Set(tier, key, value, name);
                if (name == "TASK_GRAPH_NATS_URL")
                {
                    ConfigTree.Set(tier, "server.store", "nats", name);
                }
            }
        }

        return tier;
    }

    private static Dictionary<string, object?> CliTier(ConfigOverrides cli)
    {
        var tier = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (cli.DbPath is not null)
        {
            ConfigTree.Set(tier, "server.db_path", cli.DbPath, "--db");
        }

        if (cli.NatsUrl is not null)
        {
            ConfigTree.Set(tier, "server.nats.url", cli.NatsUrl, "--nats");
            ConfigTree.Set(tier, "server.store", "nats", "--nats");
        }

        if (cli.Store is not null)
        {
            ConfigTree.Set(tier, "server.store", cli.Store, "a store URL");
        }

        if (cli.Graph is not null)
        {
            ConfigTree.Set(tier, "server.graph", cli.Graph, "--graph");
        }

        if (cli.StaleTimeoutSeconds is { } stale)
        {
            ConfigTree.Set(tier, "server.stale_timeout_seconds", ConfigMapper.Format(stale), "--stale-timeout");
        }

        if (cli.ClaimLimit is { } limit)
        {
            ConfigTree.Set(tier, "server.claim_limit", ConfigMapper.Format(limit), "--claim-limit");
        }

        if (cli.Tools is not null)
        {
            ConfigTree.Set(tier, "server.tools", cli.Tools, "--tools");
        }

        if (cli.NatsDomain is not null)
        {
            ConfigTree.Set(tier, "server.nats.domain", cli.NatsDomain, "--nats-domain");
        }

        if (cli.NatsConnectTimeoutSeconds is { } connectTimeout)
        {
            ConfigTree.Set(tier, "server.nats.connect_timeout_seconds", ConfigMapper.Format(connectTimeout), "--nats-connect-timeout");
        }

        return tier;
    }

    private static Dictionary<string, (Dictionary<string, object?> Tree, List<string> Sources)> ReadNamedFiles(
        IEnumerable<string> dirs, string prefix, HashSet<string> quietDirs, string[] implemented, List<string> warnings)
    {
        var result = new SortedDictionary<string, (Dictionary<string, object?> Tree, List<string> Sources)>(StringComparer.Ordinal);
        foreach (var dir in dirs.Where(Directory.Exists))
        {
            foreach (var file in Directory.EnumerateFiles(dir, $"{prefix}*.yaml").Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileNameWithoutExtension(file)[prefix.Length..];
                if (name.Length == 0)
                {
                    continue;
                }

                var tree = ReadFile(file);

                // The shipped files are ours and say what they do; the user's own files get told what is ignored.
                if (!quietDirs.Contains(Path.GetFullPath(dir)))
                {
                    WarnUnimplementedSections(file, tree, implemented, warnings);
                }

                if (result.TryGetValue(name, out var lower))
                {
                    lower.Sources.Add(file);
                    result[name] = (ConfigTree.Merge(lower.Tree, tree), lower.Sources);
                }
                else
                {
                    result[name] = (tree, [file]);
                }
            }
        }

        return new Dictionary<string, (Dictionary<string, object?>, List<string>)>(result, StringComparer.Ordinal);
    }

    private static ConfigDescriptor Describe(string name, Dictionary<string, object?> tree) =>
        new(name, tree.GetValueOrDefault("description") is ConfigScalar { Value: { } d } ? d : null, tree);
}
