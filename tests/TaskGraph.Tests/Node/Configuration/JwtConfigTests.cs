using TaskGraph.Node.Configuration;
using TaskGraph.Tests.Node.Http;

namespace TaskGraph.Tests.Node.Configuration;

/// <summary><c>server.auth.jwt</c>: off unless set; when set, issuer, audience and one key source are required.</summary>
[Trait("Lane", "fast")]
public sealed class JwtConfigTests : IDisposable
{
    private readonly string _root = TestPaths.TempDir("jwt-config");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Jwt_is_off_when_absent_or_null()
    {
        Assert.Null(Load(null).Jwt);
        Assert.Null(Load("server:\n  auth:\n    jwt: ~\n").Jwt);
    }

    [Fact]
    public void A_jwks_file_is_read_at_load_and_the_claims_default_to_the_documented_names()
    {
        var jwks = WriteJwks();
        var jwt = Load($"server:\n  auth:\n    jwt:\n      issuer: https://i.test\n      audience: tg\n      jwks_file: {jwks}\n").Jwt!;

        Assert.Equal(("https://i.test", "tg", jwks, null), (jwt.Issuer, jwt.Audience, jwt.JwksFile, jwt.JwksUrl));
        Assert.Equal(["k1"], jwt.FileKeys.Select(k => k.KeyId));
        Assert.Equal(("taskgraph_role", "taskgraph_worker", "taskgraph_tags", "sub"), (jwt.RoleClaim, jwt.WorkerClaim, jwt.TagsClaim, jwt.NameClaim));
        Assert.Equal(TimeSpan.FromSeconds(30), jwt.ClockSkew);
    }

    [Fact]
    public void A_jwks_url_and_claim_names_are_taken_as_given()
    {
        var jwt = Load("server:\n  auth:\n    jwt:\n      issuer: https://i.test\n      audience: tg\n      jwks_url: https://i.test/jwks\n"
            + "      role_claim: r\n      worker_claim: w\n      tags_claim: t\n      name_claim: email\n      clock_skew_seconds: 0\n").Jwt!;

        Assert.Equal(new Uri("https://i.test/jwks"), jwt.JwksUrl);
        Assert.Empty(jwt.FileKeys);
        Assert.Equal(("r", "w", "t", "email", TimeSpan.Zero), (jwt.RoleClaim, jwt.WorkerClaim, jwt.TagsClaim, jwt.NameClaim, jwt.ClockSkew));
    }

    [Theory]
    [InlineData("audience: tg\n      jwks_url: https://i.test/jwks\n", "server.auth.jwt.issuer")]
    [InlineData("issuer: https://i.test\n      audience: tg\n", "neither is set")]
    [InlineData("issuer: https://i.test\n      audience: tg\n      jwks_file: /nonexistent/jwks.json\n", "server.auth.jwt.jwks_file: cannot read")]
    [InlineData("issuer: https://i.test\n      audience: tg\n      jwks_url: /relative\n", "server.auth.jwt.jwks_url")]
    [InlineData("issuer: https://i.test\n      audience: tg\n      jwks_url: https://i.test/jwks\n      clock_skew_seconds: 3600\n", "server.auth.jwt.clock_skew_seconds")]
    [InlineData("issuer: https://i.test\n      audience: tg\n      jwks_url: https://i.test/jwks\n      role_claims: r\n", "did you mean 'server.auth.jwt.role_claim'")]
    public void Bad_jwt_config_is_refused_naming_the_key(string lines, string expected)
    {
        var ex = Assert.Throws<ConfigException>(() => Load("server:\n  auth:\n    jwt:\n      " + lines));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    private string WriteJwks()
    {
        var provider = new TestIdentityProvider();
        provider.AddRsaKey("k1");
        var path = Path.Combine(_root, "jwks.json");
        provider.WriteJwks(path);
        return path;
    }

    private LoadedConfig Load(string? project)
    {
        var projectDir = Path.Combine(_root, "project");
        Directory.CreateDirectory(Path.Combine(projectDir, "task-graph"));
        if (project is not null)
        {
            File.WriteAllText(Path.Combine(projectDir, "task-graph", "config.yaml"), project);
        }

        return ConfigLoader.Load(new ConfigLoadOptions { ProjectDirectory = projectDir, UserDirectory = Path.Combine(_root, "user") });
    }
}
