namespace TaskGraph.Tests.Node.Http;

/// <summary>
/// xunit class fixture: one HTTP node on its own SQLite file, an admin token for it and an admin MCP session (the
/// client's default protocol). The tests of a class share it and use their own task and worker ids.
/// </summary>
public sealed class HttpNodeFixture : IAsyncLifetime, IRoleMatrixNodes
{
    private HttpNode? _node;
    private HttpMcpSession? _admin;

    /// <summary>The running node.</summary>
    internal HttpNode Node => _node ?? throw new InvalidOperationException("The node is not started.");

    /// <summary>The secret of the token named <c>fixture-admin</c> (role admin).</summary>
    internal string AdminToken { get; private set; } = string.Empty;

    /// <summary>An admin session, for setting up and for checking what changed.</summary>
    internal HttpMcpSession Admin => _admin ?? throw new InvalidOperationException("The node is not started.");

    HttpNode IRoleMatrixNodes.Setup => Node;

    HttpNode IRoleMatrixNodes.Acting => Node;

    HttpMcpSession IRoleMatrixNodes.Admin => Admin;

    string? IRoleMatrixNodes.ActingProtocol => null;

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        var ct = EndToEnd.EndToEnd.Timeout(120);
        _node = await HttpNode.StartAsync(ct);
        AdminToken = await _node.CreateTokenAsync("fixture-admin", "admin", ct);
        _admin = await _node.ConnectAsync(AdminToken, ct);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_admin is not null)
        {
            await _admin.DisposeAsync();
        }

        if (_node is not null)
        {
            await _node.DisposeAsync();
        }
    }
}
