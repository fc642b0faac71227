using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TaskGraph.Core.Graph;
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
        + "Errors are JSON {code, message, field}. list_workflows() shows workflows for connect(workflow=...).";

    /// <summary>The node's version (the assembly's informational version without build metadata).</summary>
    public static string Version { get; } =
        (typeof(NodeHost).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
         ?? typeof(NodeHost).Assembly.GetName().Version?.ToString() ?? "0.0.0").Split('+')[0];

    /// <summary>Serves MCP over stdin/stdout until stdin closes or the process is stopped. All logs go to stderr.</summary>
    public static async Task RunStdioAsync(LoadedConfig config, LogLevel logLevel, CancellationToken cancellationToken = default)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = AppContext.BaseDirectory,
        });

        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(logLevel);

        // The SDK logs every request at Information; keep that for -v / --log-level Debug.
        builder.Logging.AddFilter("ModelContextProtocol", logLevel <= LogLevel.Debug ? logLevel : LogLevel.Warning);
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);

        // The store and the read model come up before the MCP server answers anything (cold start rebuild).
        using var bootLoggers = LoggerFactory.Create(l => l
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
            .SetMinimumLevel(logLevel));
        var nodeConfig = new NodeConfig(config);
        var (store, location) = await StoreFactory.OpenAsync(config, TimeProvider.System, bootLoggers, cancellationToken);
        await using var graph = await GraphRuntime.StartAsync(store, nodeConfig.Rules, TimeProvider.System, Environment.CurrentDirectory, bootLoggers, cancellationToken);

        builder.Services.AddTaskGraphNode(nodeConfig, graph);
        builder.Services.AddTaskGraphMcpServer().WithStdioServerTransport();

        using var host = builder.Build();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("TaskGraph.Node");
        NodeLog.StoreOpened(logger, config.Config.Server.Store, location, graph.Reads.AppliedPosition);
        foreach (var source in config.Sources)
        {
            NodeLog.ConfigSource(logger, source);
        }

        foreach (var warning in config.Warnings)
        {
            NodeLog.ConfigWarning(logger, warning);
        }

        var c = config.Config;
        NodeLog.Serving(logger, Version, c.Server.Store, c.Server.Graph, c.DefaultWorkflow.Name);
        await host.RunAsync(cancellationToken);
    }
}
