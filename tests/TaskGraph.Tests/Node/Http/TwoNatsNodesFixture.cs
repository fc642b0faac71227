using TaskGraph.Tests.Nats;

namespace TaskGraph.Tests.Node.Http;

/// <summary>
/// xunit class fixture: a nats-server of its own and two HTTP nodes (A and B) serving one graph on it, an admin token
/// created with A's store options and an admin session on A. Roles act through B with 2025-06-18 sessions, so a matrix
/// on it checks refusals across nodes and the older protocol generation at once.
/// </summary>
public sealed class TwoNatsNodesFixture : IAsyncLifetime, IRoleMatrixNodes
{
    private NatsServerProcess? _nats;
    private HttpNode? _a;
    private HttpNode? _b;
    private HttpMcpSession? _admin;

    HttpNode IRoleMatrixNodes.Setup => _a ?? throw new InvalidOperationException("The nodes are not started.");

    HttpNode IRoleMatrixNodes.Acting => _b ?? throw new InvalidOperationException("The nodes are not started.");

    HttpMcpSession IRoleMatrixNodes.Admin => _admin ?? throw new InvalidOperationException("The nodes are not started.");

    string? IRoleMatrixNodes.ActingProtocol => "2025-06-18";

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        var ct = EndToEnd.EndToEnd.Timeout(180);
        _nats = await NatsServerProcess.StartAsync(ct);
        var graph = "matrix" + Guid.NewGuid().ToString("N")[..8];
        _a = await HttpNode.StartOnNatsAsync(_nats.Url, graph, ct);
        _b = await HttpNode.StartOnNatsAsync(_nats.Url, graph, ct);
        _admin = await _a.ConnectAsync(await _a.CreateTokenAsync("fixture-admin", "admin", ct), ct);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_admin is not null)
        {
            await _admin.DisposeAsync();
        }

        foreach (var node in new[] { _b, _a })
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }

        if (_nats is not null)
        {
            await _nats.DisposeAsync();
        }
    }
}
