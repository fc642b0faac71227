using System.IO.Pipelines;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using TaskGraph.Core.Configuration;
using TaskGraph.Core.Runtime;
using TaskGraph.Core.Storage;
using TaskGraph.Node.Configuration;
using TaskGraph.Node.Hosting;

namespace TaskGraph.Tests.Node.Mcp;

/// <summary>
/// A whole node in this process: the real rules over a real store (SQLite file or NATS), the services
/// <see cref="NodeServiceCollectionExtensions"/> registers (tools, filters, lease sweeper) and an MCP client talking to
/// it over in-memory pipes, as the SDK's own tests do. Far faster than a process over stdio, with the same tool surface.
/// </summary>
internal sealed class InProcessNode : IAsyncDisposable
{
    private readonly IHost _host;

    private InProcessNode(IHost host, GraphRuntime graph, McpClient client)
    {
        _host = host;
        Graph = graph;
        Client = client;
    }

    public McpClient Client { get; }

    public GraphRuntime Graph { get; }

    /// <summary>Starts the node over <paramref name="store"/> (the node then owns it) with <paramref name="config"/> (default config if null).</summary>
    public static async Task<InProcessNode> StartAsync(IRecordStore store, TaskGraphConfig? config, CancellationToken cancellationToken)
    {
        var nodeConfig = new NodeConfig(LoadedConfig.Of(config ?? new TaskGraphConfig()));
        var graph = await GraphRuntime.StartAsync(store, nodeConfig.Rules, TimeProvider.System, Environment.CurrentDirectory, null, cancellationToken);
        var toServer = new Pipe();
        var toClient = new Pipe();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Services.AddTaskGraphNode(nodeConfig, graph);
        builder.Services.AddTaskGraphMcpServer().WithStreamServerTransport(toServer.Reader.AsStream(), toClient.Writer.AsStream());
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        var client = await McpClient.CreateAsync(
            new StreamClientTransport(toServer.Writer.AsStream(), toClient.Reader.AsStream()),
            cancellationToken: cancellationToken);
        return new InProcessNode(host, graph, client);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await _host.StopAsync();
        _host.Dispose();
        await Graph.DisposeAsync();
    }
}
