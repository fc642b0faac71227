using System.IO.Pipelines;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using TaskGraph.Node.Configuration;
using TaskGraph.Node.Hosting;

namespace TaskGraph.Tests.Node.Mcp;

/// <summary>A node's MCP server (with the real filter and tools plus <see cref="ProbeTools"/>) and a client, over in-memory pipes.</summary>
internal sealed class InMemoryNode : IAsyncDisposable
{
    private readonly IHost _host;

    private InMemoryNode(IHost host, McpClient client)
    {
        _host = host;
        Client = client;
    }

    public McpClient Client { get; }

    public static async Task<InMemoryNode> StartAsync(LoadedConfig config, CancellationToken cancellationToken)
    {
        var toServer = new Pipe();
        var toClient = new Pipe();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Services.AddTaskGraphNode(config);
        builder.Services.AddTaskGraphMcpServer()
            .WithTools<ProbeTools>()
            .WithStreamServerTransport(toServer.Reader.AsStream(), toClient.Writer.AsStream());
        var host = builder.Build();
        await host.StartAsync(cancellationToken);

        var client = await McpClient.CreateAsync(
            new StreamClientTransport(toServer.Writer.AsStream(), toClient.Reader.AsStream()),
            cancellationToken: cancellationToken);
        return new InMemoryNode(host, client);
    }

    public Task<CallToolResult> CallRawAsync(string tool, object? args, CancellationToken cancellationToken) =>
        Client.CallToolAsync(tool, ToArguments(args), cancellationToken: cancellationToken).AsTask();

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await _host.StopAsync();
        _host.Dispose();
    }

    internal static Dictionary<string, object?> ToArguments(object? args) => ToolCalls.ToArguments(args);
}
