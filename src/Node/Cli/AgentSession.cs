using System.IO.Pipelines;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using TaskGraph.Node.Configuration;
using TaskGraph.Node.Hosting;

namespace TaskGraph.Node.Cli;

/// <summary>
/// The MCP client behind <c>taskgraph agent</c>: either a whole node in this process over the configured store (its
/// MCP server on in-memory pipes, so every call runs the same rules, filters and errors as a served node), or, with
/// <c>--url</c>, a running node over Streamable HTTP with a bearer token.
/// </summary>
internal sealed class AgentSession : IAsyncDisposable
{
    private readonly IHost? _host;

    private AgentSession(McpClient client, IHost? host)
    {
        Client = client;
        _host = host;
    }

    /// <summary>The connected client.</summary>
    public McpClient Client { get; }

    /// <summary>Starts a node over the config's (first) graph in this process and connects to it.</summary>
    public static async Task<AgentSession> OpenLocalAsync(LoadedConfig config, CancellationToken cancellationToken)
    {
        var toServer = new Pipe();
        var toClient = new Pipe();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory });
        NodeHost.AddStderrLogging(builder.Logging, LogLevel.Warning);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.AddTaskGraphNode(new NodeConfig(config), new ServedGraphs([config.ServedGraphs[0]]));
        builder.Services.AddTaskGraphMcpServer().WithStreamServerTransport(toServer.Reader.AsStream(), toClient.Writer.AsStream());
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
            var client = await McpClient.CreateAsync(
                new StreamClientTransport(toServer.Writer.AsStream(), toClient.Reader.AsStream()),
                cancellationToken: cancellationToken);
            return new AgentSession(client, host);
        }
        catch
        {
            await StopAsync(host);
            throw;
        }
    }

    /// <summary>Connects to a running node's MCP endpoint over Streamable HTTP.</summary>
    public static async Task<AgentSession> OpenRemoteAsync(Uri endpoint, string? token, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string>();
        if (token is not null)
        {
            headers["Authorization"] = "Bearer " + token;
        }

        // The client owns the transport once it is created (and disposes it with itself).
#pragma warning disable CA2000
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = endpoint,
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = headers,
        });
#pragma warning restore CA2000
        var client = await McpClient.CreateAsync(transport, new McpClientOptions(), cancellationToken: cancellationToken);
        return new AgentSession(client, null);
    }

    /// <summary>Calls one tool.</summary>
    public Task<CallToolResult> CallAsync(string tool, IReadOnlyDictionary<string, object?> arguments, CancellationToken cancellationToken) =>
        Client.CallToolAsync(tool, arguments, cancellationToken: cancellationToken).AsTask();

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        if (_host is not null)
        {
            await StopAsync(_host);
        }
    }

    private static async Task StopAsync(IHost host)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await host.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Best effort: the process ends next.
        }

        host.Dispose();
    }
}
