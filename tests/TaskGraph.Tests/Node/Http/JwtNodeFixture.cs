namespace TaskGraph.Tests.Node.Http;

/// <summary>
/// xunit class fixture for the JWT tests: a <see cref="TestIdentityProvider"/> serving its JWKS over loopback HTTP (an
/// RSA key <c>rsa-1</c> and an EC key <c>ec-1</c>), one HTTP node whose <c>server.auth.jwt.jwks_url</c> points at it
/// (config written to a file passed with <c>-c</c>), a stored admin token and an admin session.
/// </summary>
public sealed class JwtNodeFixture : IAsyncLifetime
{
    private HttpNode? _node;
    private HttpMcpSession? _admin;
    private string? _configDir;

    /// <summary>The identity provider.</summary>
    internal TestIdentityProvider Provider { get; } = new();

    /// <summary>The running node.</summary>
    internal HttpNode Node => _node ?? throw new InvalidOperationException("The node is not started.");

    /// <summary>The secret of the stored token <c>fixture-admin</c> (a tgk_ token).</summary>
    internal string AdminToken { get; private set; } = string.Empty;

    /// <summary>An admin session over the stored token.</summary>
    internal HttpMcpSession Admin => _admin ?? throw new InvalidOperationException("The node is not started.");

    /// <summary>A config file under a fresh temp dir holding <c>server.auth.jwt</c> with the given lines (indented for it).</summary>
    internal static string WriteConfig(string dir, params string[] jwtLines)
    {
        var path = Path.Combine(dir, "config.yaml");
        File.WriteAllText(path, "server:\n  auth:\n    jwt:\n" + string.Concat(jwtLines.Select(l => $"      {l}\n")));
        return path;
    }

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        var ct = EndToEnd.EndToEnd.Timeout(120);
        Provider.AddRsaKey("rsa-1");
        Provider.AddEcKey("ec-1");
        Provider.Serve();
        _configDir = TestPaths.TempDir("jwt-config");
        var config = WriteConfig(_configDir, $"issuer: {TestIdentityProvider.Issuer}", $"audience: {TestIdentityProvider.Audience}", $"jwks_url: {Provider.JwksUrl}");
        _node = await HttpNode.StartAsync(ct, "-c", config);
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

        await Provider.DisposeAsync();
        if (_configDir is not null)
        {
            Directory.Delete(_configDir, recursive: true);
        }
    }
}
