using System.CommandLine;
using TaskGraph.Bus.Connection;
using TaskGraph.Bus.KeyValue;
using TaskGraph.Core.Storage;
using TaskGraph.Node.Configuration;
using TaskGraph.Node.Hosting;

namespace TaskGraph.Node.Cli;

/// <summary>The <c>taskgraph</c> command line: <c>taskgraph [serve] [options]</c>; serve is the default command.</summary>
public static class TaskGraphCli
{
    /// <summary>Exit code for a configuration the node refuses to start with.</summary>
    public const int ConfigErrorExitCode = 2;

    /// <summary>Exit code for a store the node cannot open at start (NATS unreachable, no JetStream, denied; SQLite unusable).</summary>
    public const int StoreErrorExitCode = 3;

    private static readonly Option<string?> DbOption = new("--db") { Description = "SQLite database file (default task-graph/tasks.db)", Recursive = true };
    private static readonly Option<string?> ConfigOption = new("--config", "-c") { Description = "Config file used as the project tier (instead of task-graph/config.yaml)", Recursive = true };
    private static readonly Option<string?> NatsOption = new("--nats") { Description = "NATS server URL(s), comma-separated; selects the NATS store", Recursive = true };
    private static readonly Option<string[]> GraphOption = new("--graph")
    {
        Description = "Graph name (default 'default'); repeat it to serve several graphs, the first at /mcp and on stdio, each at /mcp/<graph>",
        Recursive = true,
        Arity = ArgumentArity.OneOrMore,
    };
    private static readonly Option<int?> StaleTimeoutOption = new("--stale-timeout") { Description = "Seconds without a heartbeat before a worker's lease expires", Recursive = true };
    private static readonly Option<int?> ClaimLimitOption = new("--claim-limit") { Description = "Most tasks one worker may own at once", Recursive = true };
    private static readonly Option<string?> NatsDomainOption = new("--nats-domain") { Description = "JetStream domain that holds the graph (the hub's, for an edge node on a leaf)", Recursive = true };
    private static readonly Option<int?> NatsConnectTimeoutOption = new("--nats-connect-timeout") { Description = "Seconds to wait for NATS at start before giving up (default 10)", Recursive = true };
    private static readonly Option<bool> VerboseOption = new("--verbose", "-v") { Description = "Debug logging (on stderr)", Recursive = true };
    private static readonly Option<bool> ServeVersionOption = new("--version") { Description = "Show version information" };
    private static readonly Option<string?> HttpOption = new("--http") { Description = "Serve MCP over Streamable HTTP at this URL (http://127.0.0.1:31995; port 0 picks one), at /mcp" };
    private static readonly Option<bool> StdioOption = new("--stdio") { Description = "Serve stdio as well when --http is given" };
    private static readonly Option<string> AuthOption = new("--auth") { Description = "Bearer tokens on HTTP: on (default) or off (loopback only, for development)", DefaultValueFactory = _ => "on" };
    private static readonly Option<string?> ToolsOption = new("--tools") { Description = "Tool profile agents see: full (default) or core (connect, claim, thinking, update, get, list_tasks, mark_file, unmark_file, mark_updates, search)" };
    private static readonly Option<LogLevel?> LogLevelOption = new("--log-level") { Description = "Log level on stderr: Trace, Debug, Information, Warning, Error, Critical, None", Recursive = true };

    /// <summary>Parses and runs; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        var parse = Build().Parse(args);
        if (parse.Errors.Count > 0 && AgentCommand.IsAgentCommand(parse))
        {
            // The agent CLI's documented contract: bad arguments exit 2, with one line saying what is wrong.
            var problems = string.Join("; ", parse.Errors.Select(e => e.Message.ReplaceLineEndings(" ")));
            await Console.Error.WriteLineAsync($"taskgraph agent: {problems} (see taskgraph agent --help)");

            return AgentCommand.BadArgumentsExitCode;
        }

        return await parse.InvokeAsync(cancellationToken: cancellationToken);
    }

    /// <summary>The root command with all subcommands.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand("TaskGraph: a coordination server for AI agent swarms, spoken to over MCP (stdio or Streamable HTTP).");
        foreach (var option in new Option[] { DbOption, ConfigOption, NatsOption, GraphOption, StaleTimeoutOption, ClaimLimitOption, NatsDomainOption, NatsConnectTimeoutOption, VerboseOption, LogLevelOption })
        {
            root.Options.Add(option);
        }

        var serve = new Command("serve", "Serve MCP over stdio, or Streamable HTTP with --http (the default command).");

        // `taskgraph serve --version` answers like `taskgraph --version` (the root's own option does not reach subcommands).
        serve.Options.Add(ServeVersionOption);
        foreach (var option in new Option[] { HttpOption, StdioOption, AuthOption, ToolsOption })
        {
            serve.Options.Add(option);
            root.Options.Add(option);
        }

        AuthOption.AcceptOnlyFromAmong("on", "off");
        ToolsOption.AcceptOnlyFromAmong("core", "full");
        serve.SetAction(ServeAsync);
        root.Subcommands.Add(serve);
        root.Subcommands.Add(TokenCommand.Build());
        root.Subcommands.Add(AuditCommand.Build());
        root.Subcommands.Add(AgentCommand.Build());
        root.Subcommands.Add(ExportCommand.Build());
        root.Subcommands.Add(ImportCommand.Build());
        root.Subcommands.Add(DiffCommand.Build());
        root.Subcommands.Add(MigrateCommand.Build());
        root.Subcommands.Add(Swarm.SwarmCommand.Build());
        root.SetAction(ServeAsync);
        return root;
    }

    /// <summary>The config tier the root options give (they are recursive, so any subcommand's parse has them).</summary>
    internal static ConfigOverrides Overrides(ParseResult parse) => new()
    {
        DbPath = parse.GetValue(DbOption),
        ConfigFile = parse.GetValue(ConfigOption),
        NatsUrl = parse.GetValue(NatsOption),
        Graph = parse.GetValue(GraphOption) is [var first, ..] ? first : null,
        MoreGraphs = parse.GetValue(GraphOption) is [_, .. var more] ? more : [],
        StaleTimeoutSeconds = parse.GetValue(StaleTimeoutOption),
        ClaimLimit = parse.GetValue(ClaimLimitOption),
        NatsConnectTimeoutSeconds = parse.GetValue(NatsConnectTimeoutOption),
        NatsDomain = parse.GetValue(NatsDomainOption),
        Tools = parse.GetValue(ToolsOption),
    };

    /// <summary>The stderr log level: --log-level, else Debug with -v, else Information.</summary>
    internal static LogLevel Level(ParseResult parse) =>
        parse.GetValue(LogLevelOption) ?? (parse.GetValue(VerboseOption) ? LogLevel.Debug : LogLevel.Information);

    private static async Task<int> ServeAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        if (parse.GetValue(ServeVersionOption))
        {
            await parse.InvocationConfiguration.Output.WriteLineAsync(NodeHost.Version);
            return 0;
        }

        LoadedConfig config;
        try
        {
            config = ConfigLoader.Load(ConfigLoadOptions.FromProcess(Overrides(parse)));
        }
        catch (ConfigException ex)
        {
            await Console.Error.WriteLineAsync($"taskgraph: configuration error: {ex.Message}");
            return ConfigErrorExitCode;
        }

        HttpServing? http = null;
        string? problem = null;
        var url = parse.GetValue(HttpOption) is { } text ? HttpSettingsMapper.ParseUrl(text, out problem) : config.Http.Url;
        if (url is not null)
        {
            http = new HttpServing
            {
                Url = url,
                RequireToken = parse.GetValue(AuthOption) != "off",
                TlsCertFile = config.Http.TlsCertFile,
                TlsKeyFile = config.Http.TlsKeyFile,
                AllowedHosts = config.Http.AllowedHosts,
                AllowedOrigins = config.Http.AllowedOrigins,
            };
            if (!http.RequireToken && !http.IsLoopback)
            {
                await Console.Error.WriteLineAsync($"taskgraph: configuration error: --auth off is only allowed on a loopback address, not {url.Host}");
                return ConfigErrorExitCode;
            }

            if (url.Scheme == Uri.UriSchemeHttps && (http.TlsCertFile is null || http.TlsKeyFile is null))
            {
                await Console.Error.WriteLineAsync("taskgraph: configuration error: an https:// URL needs server.http.tls.cert and server.http.tls.key (PEM files)");
                return ConfigErrorExitCode;
            }
        }
        else if (parse.GetValue(HttpOption) is not null)
        {
            await Console.Error.WriteLineAsync($"taskgraph: configuration error: --http: {problem}");
            return ConfigErrorExitCode;
        }

        try
        {
            await NodeHost.RunAsync(config, Level(parse), stdio: http is null || parse.GetValue(StdioOption), http, cancellationToken);
        }
        catch (IOException ex) when (http is not null && ex.InnerException is System.Net.Sockets.SocketException or null)
        {
            await Console.Error.WriteLineAsync($"taskgraph: cannot listen on {http.Url}: {ex.Message.ReplaceLineEndings(" ")}");
            return StoreErrorExitCode;
        }
        catch (NatsReplicasException ex)
        {
            // An explicit replica count the deployment cannot place is the config's mistake, not an outage.
            await Console.Error.WriteLineAsync($"taskgraph: configuration error: {ex.Message.ReplaceLineEndings(" ")}");
            return ConfigErrorExitCode;
        }
        catch (Exception ex) when (ex is NatsStartupException or StoreUnavailableException)
        {
            await Console.Error.WriteLineAsync($"taskgraph: cannot open the store: {ex.Message.ReplaceLineEndings(" ")}");
            return StoreErrorExitCode;
        }

        return 0;
    }
}
