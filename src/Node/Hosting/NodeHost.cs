using System.Reflection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Console;
using TaskGraph.Bus.Connection;
using TaskGraph.Node.Configuration;

namespace TaskGraph.Node.Hosting;

/// <summary>Builds and runs the node's generic host with the MCP server on stdio.</summary>
public static class NodeHost
{
    /// <summary>The instructions sent to clients at initialization.</summary>
    public const string Instructions =
        "TaskGraph: a shared task graph for a swarm of agents. The loop:\n"
        + "1. connect() -> your worker_id (pass it to every call after this).\n"
        + "2. claim(worker_id) takes the next ready task (or claim(worker_id, task) a given one; list_tasks(ready=true) shows them).\n"
        + "3. While working, call thinking(agent, thought) every few minutes: it is your heartbeat; a silent worker loses its claims.\n"
        + "4. mark_file(agent, file) before editing a shared file (\"lock:name\" is exclusive); mark_updates(agent) shows others' marks.\n"
        + "5. update(worker_id, task, status=\"completed\") when done; the answer lists the tasks it unblocked. Then claim again.\n"
        + "Errors are JSON {code, message, field}. list_workflows() shows workflows for connect(workflow=...); get_skill(\"basics\") explains this loop.";

    /// <summary>The node's version (the assembly's informational version without build metadata).</summary>
    public static string Version { get; } =
        (typeof(NodeHost).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
         ?? typeof(NodeHost).Assembly.GetName().Version?.ToString() ?? "0.0.0").Split('+')[0];

    /// <summary>
    /// Serves MCP over stdin/stdout until stdin closes or the process is stopped; all logs go to stderr. stdin is watched
    /// from the start, so a node whose client leaves while it is still opening its store stops too (it returns without
    /// serving). Opening failures surface as <see cref="NatsStartupException"/> or <see cref="Core.Storage.StoreUnavailableException"/>.
    /// </summary>
    public static Task RunStdioAsync(LoadedConfig config, LogLevel logLevel, CancellationToken cancellationToken = default) =>
        RunAsync(config, logLevel, stdio: true, http: null, cancellationToken);

    /// <summary>
    /// Serves MCP over stdio, Streamable HTTP (<paramref name="http"/>), or both, for each served graph (its own store and
    /// runtime; stdio serves the first). With stdio, the node stops when stdin closes; HTTP alone runs until the process
    /// is stopped.
    /// </summary>
    public static async Task RunAsync(LoadedConfig config, LogLevel logLevel, bool stdio, HttpServing? http, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        await using var stdin = stdio ? new StdinPump() : null;
        using var startup = stdin is null
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken)
            : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stdin.Closed);
        var nodeConfig = new NodeConfig(config);
        var graphs = new ServedGraphs(config.ServedGraphs);
        using var host = Build(nodeConfig, graphs, logLevel, stdin, http);
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("TaskGraph.Node");
        foreach (var warning in config.Warnings)
        {
            NodeLog.ConfigWarning(logger, warning);
        }

        try
        {
            // The graphs' stores and read models come up first (ServedGraphsService), then the transports.
            await host.StartAsync(startup.Token);
        }
        catch (Exception ex) when (stdin?.Closed.IsCancellationRequested == true && (ex is OperationCanceledException || startup.IsCancellationRequested))
        {
            // The client left while the store was still coming up: whatever the store's attempt ended with (a cancel, or a
            // connect error raised by the cancel), there is nobody to serve and nothing went wrong.
            NodeLog.StdinClosedWhileStarting(logger);
            await StopQuietlyAsync(host);
            return;
        }
        catch
        {
            await StopQuietlyAsync(host);
            throw;
        }

        foreach (var source in config.Sources)
        {
            NodeLog.ConfigSource(logger, source);
        }

        var c = config.Config;
        var transports = http is null ? "stdio" : stdin is null ? "HTTP" : "stdio and HTTP";
        var graphNames = string.Join(", ", graphs.Names);
        NodeLog.Serving(logger, Version, transports, c.Server.Store, graphNames, c.DefaultWorkflow.Name);
        if (http is not null)
        {
            var auth = !http.RequireToken ? "off" : config.Jwt is null ? "bearer tokens" : "bearer tokens and JWTs";
            var url = NodeHttp.McpUrl(host);
            NodeLog.HttpListening(logger, url, auth);
        }

        // With stdio, the node ends when its client closes stdin (the stream transport stops the host).
        await host.WaitForShutdownAsync(cancellationToken);
    }

    /// <summary>The generic host (stdio) or web host (HTTP, optionally with stdio too) with the node and its MCP server.</summary>
    private static IHost Build(NodeConfig nodeConfig, ServedGraphs graphs, LogLevel logLevel, StdinPump? stdin, HttpServing? http)
    {
        if (http is null)
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
            {
                DisableDefaults = true,
                ContentRootPath = AppContext.BaseDirectory,
            });
            // The transport owns standard output for the life of the host.
#pragma warning disable CA2000
            Configure(builder.Services, builder.Logging, logLevel, nodeConfig, graphs).WithStreamServerTransport(stdin!.Input, Console.OpenStandardOutput());
#pragma warning restore CA2000
            return builder.Build();
        }

        return NodeHttp.Build(http, services =>
        {
            var mcp = Configure(services, null, logLevel, nodeConfig, graphs);
            if (stdin is not null)
            {
                mcp.WithStreamServerTransport(stdin.Input, Console.OpenStandardOutput());
            }

            return mcp;
        }, logging => AddStderrLogging(logging, logLevel));
    }

    /// <summary>Stops a host whose start failed, so what it did open (a graph, a listener) is closed.</summary>
    private static async Task StopQuietlyAsync(IHost host)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await host.StopAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException or AggregateException)
        {
            // Best effort: the start already failed and that failure is what the caller reports.
        }
    }

    private static IMcpServerBuilder Configure(IServiceCollection services, ILoggingBuilder? logging, LogLevel logLevel, NodeConfig nodeConfig, ServedGraphs graphs)
    {
        if (logging is not null)
        {
            AddStderrLogging(logging, logLevel);
        }

        services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        services.AddTaskGraphNode(nodeConfig, graphs);
        return services.AddTaskGraphMcpServer();
    }

    /// <summary>One line per entry on stderr (stdout is the protocol); the SDK's per-request logs only at debug level.</summary>
    internal static void AddStderrLogging(ILoggingBuilder logging, LogLevel logLevel)
    {
        var debug = logLevel <= LogLevel.Debug;
        logging.ClearProviders();
        logging.SetMinimumLevel(logLevel);
        logging.AddFilter("ModelContextProtocol", debug ? logLevel : LogLevel.Warning);
        logging.AddFilter("Microsoft.AspNetCore", debug ? logLevel : LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", debug ? logLevel : LogLevel.Warning);

        // The host logs a failed start with its stack trace; the node reports that failure itself, in one line.
        logging.AddFilter("Microsoft.Extensions.Hosting", debug ? logLevel : LogLevel.Critical);

        // NATS.Net logs every failed reconnect attempt; the Bus's own connection events already say it in one line.
        logging.AddFilter("NATS.Client", debug ? logLevel : LogLevel.Error);
        logging.AddConsole(o =>
        {
            o.FormatterName = OneLineConsoleFormatter.FormatterName;
            o.LogToStandardErrorThreshold = LogLevel.Trace;
        });
        logging.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ConsoleFormatter>(new OneLineConsoleFormatter(debug)));
    }
}
