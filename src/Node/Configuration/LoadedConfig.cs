using TaskGraph.Bus.Connection;
using TaskGraph.Core.Configuration;

namespace TaskGraph.Node.Configuration;

/// <summary>Everything config loading produced: the validated rules config plus node-only settings and raw trees for later features.</summary>
public sealed record LoadedConfig
{
    /// <summary>The validated config the rules run on.</summary>
    public required TaskGraphConfig Config { get; init; }

    /// <summary>
    /// The graphs a node serves, each with its own store: <see cref="ServerSettings.Graph"/> first (at <c>/mcp</c> and on
    /// stdio), then the other <c>--graph</c> names (at <c>/mcp/&lt;graph&gt;</c>).
    /// </summary>
    public IReadOnlyList<string> Graphs { get; init; } = [];

    /// <summary>The graphs served: <see cref="Graphs"/>, or the configured graph alone when none were listed.</summary>
    public IReadOnlyList<string> ServedGraphs => Graphs.Count > 0 ? Graphs : [Config.Server.Graph];

    /// <summary>NATS URLs when the nats store is selected.</summary>
    public string? NatsUrl { get; init; }

    /// <summary>How to open the NATS store (secrets resolved) when it is selected.</summary>
    public NatsStoreOptions? Nats { get; init; }

    /// <summary>Whether the feedback tools are enabled.</summary>
    public bool FeedbackEnabled { get; init; }

    /// <summary>The <c>server.http</c> settings (used when the node serves HTTP).</summary>
    public HttpSettings Http { get; init; } = new();

    /// <summary><c>server.auth.jwt</c>: bearer JWTs from an identity provider (null: stored tokens only).</summary>
    public JwtSettings? Jwt { get; init; }

    /// <summary><c>server.notifications.coalesce_ms</c>: changes within this window become one resource notification.</summary>
    public TimeSpan NotificationWindow { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary><c>server.read_model.snapshot</c>: the read model keeps a snapshot and replays only newer changes at start.</summary>
    public bool ReadModelSnapshots { get; init; } = true;

    /// <summary><c>server.cache_dir</c>: where a NATS node keeps its per-graph read-model snapshots.</summary>
    public string CacheDir { get; init; } = ReadModelSettingsMapper.DefaultCacheDir;

    /// <summary>Role name to permissions: the default table, with <c>server.auth.roles</c> on top.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Roles { get; init; } = Auth.PermissionTable.DefaultRoles;

    /// <summary>Workflow files by name, raw (keeps gates, roles, combos, role_prompts, phase prompts for later use).</summary>
    public IReadOnlyDictionary<string, ConfigDescriptor> WorkflowFiles { get; init; } = new Dictionary<string, ConfigDescriptor>();

    /// <summary>Overlay files by name, raw.</summary>
    public IReadOnlyDictionary<string, ConfigDescriptor> Overlays { get; init; } = new Dictionary<string, ConfigDescriptor>();

    /// <summary>The merged config tree of all tiers (for keys read by later features: ui, paths, attachments, nats).</summary>
    public IReadOnlyDictionary<string, object?> Raw { get; init; } = new Dictionary<string, object?>();

    /// <summary>The options this config was loaded with (null for a config made in code): a reload loads again with them.</summary>
    public ConfigLoadOptions? Options { get; init; }

    /// <summary>
    /// The project directory this config was loaded for (<see cref="ConfigLoadOptions.ProjectDirectory"/>), or the working
    /// directory for a config made in code: relative <c>skills_dir</c> paths and answers' file names are relative to it.
    /// </summary>
    public string ProjectDirectory => Options?.ProjectDirectory ?? Directory.GetCurrentDirectory();

    /// <summary>The project and user config directories (where edits are picked up while the node runs).</summary>
    public IReadOnlyList<string> WatchedDirectories { get; init; } = [];

    /// <summary>Config files that were read, lowest tier first.</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <summary>Non-fatal notes to log at start (e.g. the deprecated <c>.task-graph/</c> directory).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Wraps a ready config (tests, embedding) with no files behind it.</summary>
    public static LoadedConfig Of(TaskGraphConfig config) => new() { Config = config };
}
