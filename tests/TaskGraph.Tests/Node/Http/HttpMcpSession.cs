using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using TaskGraph.Tests.Node.Hosting;

namespace TaskGraph.Tests.Node.Http;

/// <summary>
/// The C# MCP client (ModelContextProtocol 2.4.0) connected to a node over Streamable HTTP with a bearer token, with the
/// same call helpers as <see cref="NodeProcess"/>. <c>protocolVersion</c> null is the client's default (it prefers
/// 2026-07-28, stateless); <c>"2025-06-18"</c> makes it initialize and hold a session.
/// </summary>
internal sealed class HttpMcpSession : IAsyncDisposable
{
    private HttpMcpSession(McpClient client) => Client = client;

    /// <summary>The connected client.</summary>
    public McpClient Client { get; }

    /// <summary>The protocol revision the client and the node agreed on.</summary>
    public string? ProtocolVersion => Client.NegotiatedProtocolVersion;

    /// <summary>The <c>Mcp-Session-Id</c> the node handed out (null for a stateless client).</summary>
    public string? SessionId => Client.SessionId;

    /// <summary>Connects to <paramref name="endpoint"/> with <c>Authorization: Bearer <paramref name="secret"/></c>.</summary>
    public static async Task<HttpMcpSession> ConnectAsync(Uri endpoint, string secret, string? protocolVersion, CancellationToken cancellationToken)
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = endpoint,
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + secret },
            ConnectionTimeout = TimeSpan.FromSeconds(60),
        });
        var options = new McpClientOptions
        {
            ProtocolVersion = protocolVersion,
            InitializationTimeout = TimeSpan.FromSeconds(60),

            // A loaded machine can take longer than the default 5 s to answer server/discover; a timed-out probe would
            // silently downgrade the default client to the initialize handshake.
            DiscoverProbeTimeout = TimeSpan.FromSeconds(30),
        };
        var client = await McpClient.CreateAsync(transport, options, cancellationToken: cancellationToken);
        return new HttpMcpSession(client);
    }

    /// <summary>Calls a tool; returns whether it failed and its JSON body (the result or the error envelope).</summary>
    public async Task<(bool IsError, JsonElement Body)> CallRawAsync(string tool, object? args, CancellationToken cancellationToken)
    {
        var result = await Client.CallToolAsync(tool, NodeProcess.ToArguments(args), cancellationToken: cancellationToken);
        var text = Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;
        return (result.IsError is true, JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>Calls a tool that must succeed; returns its JSON body.</summary>
    public async Task<JsonElement> CallAsync(string tool, object? args, CancellationToken cancellationToken)
    {
        var (isError, body) = await CallRawAsync(tool, args, cancellationToken);
        return isError ? throw new InvalidOperationException($"{tool} failed: {body.GetRawText()}") : body;
    }

    /// <summary>Calls a tool that must fail; returns its error envelope.</summary>
    public async Task<JsonElement> CallExpectErrorAsync(string tool, object? args, CancellationToken cancellationToken)
    {
        var (isError, body) = await CallRawAsync(tool, args, cancellationToken);
        return isError ? body : throw new InvalidOperationException($"{tool} was expected to fail but answered: {body.GetRawText()}");
    }

    /// <summary>
    /// Calls a tool that must be refused by authorization: the envelope's code is FORBIDDEN with a message, and its
    /// <c>details.permission</c> names <paramref name="permission"/> (when null, any or no permission is accepted: the contract
    /// does not say which one a worker-binding refusal names).
    /// </summary>
    public async Task CallExpectForbiddenAsync(string tool, object? args, string? permission, CancellationToken cancellationToken)
    {
        var (isError, body) = await CallRawAsync(tool, args, cancellationToken);
        var call = $"{tool} {JsonSerializer.Serialize(args)}";
        Assert.True(isError, $"{call} was expected to be FORBIDDEN ({permission ?? "any permission"}) but answered: {body.GetRawText()}");
        var code = body.TryGetProperty("code", out var c) ? c.GetString() : null;
        Assert.True(code == "FORBIDDEN", $"{call}: expected FORBIDDEN, got {body.GetRawText()}");
        if (permission is not null)
        {
            var named = body.TryGetProperty("details", out var d) && d.TryGetProperty("permission", out var p) ? p.GetString() : null;
            Assert.True(named == permission, $"{call}: expected FORBIDDEN naming '{permission}', got {body.GetRawText()}");
        }

        Assert.True(body.TryGetProperty("message", out var m) && !string.IsNullOrWhiteSpace(m.GetString()), $"{call}: FORBIDDEN without a message");
    }

    public ValueTask DisposeAsync() => Client.DisposeAsync();
}
