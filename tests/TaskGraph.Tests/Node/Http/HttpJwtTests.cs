using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;
using static TaskGraph.Tests.Node.Http.Http;

namespace TaskGraph.Tests.Node.Http;

/// <summary>
/// <c>server.auth.jwt</c> over real HTTP against the built executable: JWTs from an identity provider (keys from a JWKS
/// URL or file) map to the same principal as a stored token, so roles, worker binding and audit hold for them unchanged;
/// every bad JWT gets the 401 challenge saying why; a key rotated in is picked up on its unknown kid; bad config stops
/// the node with exit 2 naming the key.
/// </summary>
public sealed class HttpJwtTests(JwtNodeFixture fixture) : IClassFixture<JwtNodeFixture>
{
    /// <summary>Bad JWTs by case, with a word the 401 message must hold.</summary>
    public static TheoryData<string, string> BadTokens => new()
    {
        { "expired", "expired" },
        { "wrong-issuer", "issuer" },
        { "wrong-audience", "audience" },
        { "other-key", "signature" },
        { "alg-none", "algorithm" },
        { "unknown-role", "role" },
        { "no-role", "role" },
        { "no-expiry", "exp" },
        { "garbage", "JWT" },
    };

    [Fact]
    public async Task A_worker_jwt_connects_and_claims_as_its_worker_may_not_name_another_and_is_audited_as_jwt_sub()
    {
        var ct = Timeout(90);
        var sub = Unique("alice");
        var worker = Unique("jwt-worker");
        var task = Unique("jwt-task");
        await fixture.Admin.CallAsync("create", new { id = task, title = "Claimed through a JWT" }, ct);
        await using var session = await fixture.Node.ConnectAsync(fixture.Provider.Token("rsa-1", sub, "worker", worker), ct);

        Assert.Equal(worker, String(await session.CallAsync("connect", new { }, ct), "worker_id"));
        await session.CallExpectForbiddenAsync("claim", new { worker_id = Unique("someone-else"), task }, permission: null, ct);
        Assert.Equal("pending", String(await fixture.Admin.CallAsync("get", new { task }, ct), "status"));

        var claim = await session.CallAsync("claim", new { task }, ct);
        Assert.Equal(worker, String(claim.GetProperty("task"), "worker_id"));

        var audit = (await fixture.Admin.CallAsync("audit", new { principal = "jwt:" + sub, limit = 100 }, ct)).GetProperty("entries").EnumerateArray().ToList();
        Assert.Contains(audit, e => (String(e, "tool"), String(e, "key"), String(e, "role")) == ("claim", "task." + task, "worker"));
        Assert.Contains(audit, e => (String(e, "tool"), String(e, "key")) == ("connect", "worker." + worker));
        Assert.All(audit, e => Assert.Equal("jwt:" + sub, String(e, "principal")));
    }

    [Fact]
    public async Task A_viewer_jwt_signed_with_the_ec_key_reads_but_create_is_forbidden_naming_the_permission()
    {
        var ct = Timeout(60);
        await using var viewer = await fixture.Node.ConnectAsync(fixture.Provider.Token("ec-1", Unique("vic"), "viewer"), ct);
        await viewer.CallAsync("list_tasks", new { limit = 5 }, ct);
        await viewer.CallExpectForbiddenAsync("create", new { id = Unique("nope"), title = "Viewers do not create" }, "create", ct);
    }

    [Fact]
    public async Task A_jwt_tag_scope_narrows_reads_like_a_stored_token_scope()
    {
        var ct = Timeout(60);
        var inside = Unique("scoped-in");
        var outside = Unique("scoped-out");
        await fixture.Admin.CallAsync("create", new { id = inside, title = "Backend work", tags = new[] { "backend" } }, ct);
        await fixture.Admin.CallAsync("create", new { id = outside, title = "Frontend work", tags = new[] { "frontend" } }, ct);
        await using var scoped = await fixture.Node.ConnectAsync(fixture.Provider.Token("rsa-1", Unique("bob"), "lead", tags: new[] { "backend", "db" }), ct);

        var seen = Ids(await scoped.CallAsync("list_tasks", new { limit = 500 }, ct));
        Assert.Contains(inside, seen);
        Assert.DoesNotContain(outside, seen);
        await scoped.CallExpectForbiddenAsync("update", new { task = outside, title = "Not mine" }, permission: null, ct);
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_bad_jwt_gets_401_with_the_challenge_and_a_message_saying_why(string kind, string because)
    {
        var provider = fixture.Provider;
        var sub = Unique("mallory");
        var token = kind switch
        {
            "expired" => provider.Token("rsa-1", sub, "worker", expires: DateTime.UtcNow.AddMinutes(-5)),
            "wrong-issuer" => provider.Token("rsa-1", sub, "worker", issuer: "https://someone-else.test"),
            "wrong-audience" => provider.Token("rsa-1", sub, "worker", audience: "another-service"),
            "other-key" => provider.Token("rsa-1", sub, "admin", signWith: new RsaSecurityKey(RSA.Create(2048)) { KeyId = "rsa-1" }),
            "alg-none" => TestIdentityProvider.UnsignedToken(sub),
            "unknown-role" => provider.Token("rsa-1", sub, "overlord"),
            "no-role" => provider.Token("rsa-1", sub, role: null),
            "no-expiry" => NoExpiry(sub),
            _ => "not-a-jwt-and-not-tgk",
        };

        using var http = NewClient();
        using var request = InitializePost(fixture.Node.Endpoint, "Bearer " + token);
        using var response = await http.SendAsync(request, Timeout());
        var message = await AssertUnauthenticatedAsync(response);
        Assert.Contains(because, message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(token, message, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Split('.')[0], message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_added_to_the_jwks_after_start_is_accepted_after_the_refresh_on_its_unknown_kid()
    {
        var ct = Timeout(90);
        fixture.Provider.AddRsaKey("rsa-rotated", algorithm: SecurityAlgorithms.RsaSsaPssSha256);
        var token = fixture.Provider.Token("rsa-rotated", Unique("rotated"), "viewer");
        var fetchesBefore = fixture.Provider.Fetches;
        using var http = NewClient();

        // The first request names the new kid: the node fetches the key set again at once (no 10-minute wait). The
        // generous limit only covers a fetch that timed out on a loaded machine (the next may come 30 s later).
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromSeconds(50));
        await UntilAsync(async () => await InitializeStatusAsync(http, fixture.Node.Endpoint, token, limit.Token) == 200, "the rotated key is accepted", limit.Token);
        Assert.True(fixture.Provider.Fetches > fetchesBefore, "the node accepted the new key without fetching the key set again");
    }

    [Fact]
    public async Task Stored_tgk_tokens_keep_working_on_a_node_that_also_takes_jwts()
    {
        var ct = Timeout(60);
        var secret = await fixture.Node.CreateTokenAsync(Unique("stored-lead"), "lead", ct);
        await using var lead = await fixture.Node.ConnectAsync(secret, ct);
        var task = Unique("stored");
        await lead.CallAsync("create", new { id = task, title = "Made with a stored token" }, ct);

        using var http = NewClient();
        using var request = InitializePost(fixture.Node.Endpoint, "Bearer tgk_never-issued");
        using var response = await http.SendAsync(request, ct);
        Assert.Contains("unknown, revoked or expired", await AssertUnauthenticatedAsync(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_with_a_jwks_file_takes_its_keys_and_refuses_an_unknown_kid()
    {
        var ct = Timeout(120);
        await using var provider = new TestIdentityProvider();
        provider.AddEcKey("file-ec");
        provider.AddRsaKey("never-published", publish: false);
        var dir = TestPaths.TempDir("jwt-file");
        try
        {
            provider.WriteJwks(Path.Combine(dir, "jwks.json"));
            var config = JwtNodeFixture.WriteConfig(dir, $"issuer: {TestIdentityProvider.Issuer}", $"audience: {TestIdentityProvider.Audience}",
                $"jwks_file: {Path.Combine(dir, "jwks.json")}", "name_claim: sub", "clock_skew_seconds: 5");
            await using var node = await HttpNode.StartAsync(ct, "-c", config);
            using var http = NewClient();
            Assert.Equal(200, await InitializeStatusAsync(http, node.Endpoint, provider.Token("file-ec", Unique("carol"), "viewer"), ct));

            using var request = InitializePost(node.Endpoint, "Bearer " + provider.Token("never-published", Unique("dave"), "admin"));
            using var response = await http.SendAsync(request, ct);
            Assert.Contains("unknown key", await AssertUnauthenticatedAsync(response, node), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_jwks_url_that_fails_at_start_is_a_warning_and_jwts_are_accepted_once_a_fetch_works()
    {
        var ct = Timeout(120);
        var port = TestIdentityProvider.FreePort();
        var dir = TestPaths.TempDir("jwt-late");
        await using var provider = new TestIdentityProvider();
        try
        {
            var config = JwtNodeFixture.WriteConfig(dir, $"issuer: {TestIdentityProvider.Issuer}", $"audience: {TestIdentityProvider.Audience}",
                $"jwks_url: {TestIdentityProvider.JwksUrlAt(port)}");
            await using var node = await HttpNode.StartAsync(ct, "-c", config);
            Assert.Contains(node.Stderr, l => l.Contains("cannot fetch the key set", StringComparison.Ordinal));

            // The provider comes up after the node: the first JWT (its kid unknown, no keys at all) makes the node fetch again.
            provider.AddRsaKey("late");
            provider.Serve(port);
            using var http = NewClient();
            var token = provider.Token("late", Unique("erin"), "viewer");
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(TimeSpan.FromSeconds(50));
            await UntilAsync(async () => await InitializeStatusAsync(http, node.Endpoint, token, limit.Token) == 200, "a JWT is accepted once the key set is served", limit.Token);
            Assert.True(provider.Fetches > 0, "the node accepted a JWT without fetching the key set");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("missing-audience", "server.auth.jwt.audience")]
    [InlineData("both-sources", "jwks_url")]
    [InlineData("bad-file", "server.auth.jwt.jwks_file")]
    [InlineData("ftp-url", "server.auth.jwt.jwks_url")]
    public async Task Bad_jwt_config_stops_the_node_with_exit_2_and_one_line_naming_the_key(string kind, string key)
    {
        var ct = Timeout(60);
        var dir = TestPaths.TempDir("jwt-bad");
        try
        {
            var jwks = Path.Combine(dir, "jwks.json");
            File.WriteAllText(jwks, kind == "bad-file" ? "{\"not\": \"a key set\"" : fixture.Provider.Jwks());
            string[] lines = kind switch
            {
                "missing-audience" => [$"issuer: {TestIdentityProvider.Issuer}", $"jwks_file: {jwks}"],
                "both-sources" => [$"issuer: {TestIdentityProvider.Issuer}", "audience: a", $"jwks_file: {jwks}", $"jwks_url: {fixture.Provider.JwksUrl}"],
                "bad-file" => [$"issuer: {TestIdentityProvider.Issuer}", "audience: a", $"jwks_file: {jwks}"],
                _ => [$"issuer: {TestIdentityProvider.Issuer}", "audience: a", "jwks_url: ftp://issuer.test/jwks.json"],
            };
            var config = JwtNodeFixture.WriteConfig(dir, lines);
            var result = await HttpNode.RunCliAsync(dir, ["serve", "--http", "http://127.0.0.1:0", "--db", Path.Combine(dir, "tasks.db"), "-c", config], ct);

            Assert.True(result.ExitCode == 2, $"{kind}: expected exit 2, got {result.ExitCode}:\n{result.Stderr}");
            var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Assert.Contains("configuration error", line, StringComparison.Ordinal);
            Assert.Contains(key, line, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private string NoExpiry(string sub)
    {
        // JsonWebTokenHandler always writes exp when it has one; a token without it is signed by hand with the real key.
        var key = (RsaSecurityKey)fixture.Provider.SigningKey("rsa-1");
        var header = Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(new { alg = "RS256", typ = "JWT", kid = "rsa-1" }));
        var payload = Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = TestIdentityProvider.Issuer,
            ["aud"] = TestIdentityProvider.Audience,
            ["sub"] = sub,
            ["taskgraph_role"] = "admin",
        }));
        var signature = key.Rsa.SignData(System.Text.Encoding.ASCII.GetBytes($"{header}.{payload}"), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{header}.{payload}.{Base64UrlEncoder.Encode(signature)}";
    }

    private Task<string> AssertUnauthenticatedAsync(HttpResponseMessage response) => AssertUnauthenticatedAsync(response, fixture.Node);

    private static async Task<string> AssertUnauthenticatedAsync(HttpResponseMessage response, HttpNode node)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"expected 401, got {(int)response.StatusCode}: {text}");
        var challenge = string.Join(", ", response.Headers.WwwAuthenticate.Select(h => h.ToString()));
        Assert.StartsWith("Bearer error=\"invalid_token\"", challenge, StringComparison.Ordinal);
        Assert.Contains($"resource_metadata=\"{node.BaseUrl}/.well-known/oauth-protected-resource\"", challenge, StringComparison.Ordinal);
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal("UNAUTHENTICATED", String(body, "code"));
        var message = String(body, "message");
        Assert.False(string.IsNullOrWhiteSpace(message), text);
        return message!;
    }
}
