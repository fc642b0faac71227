using System.Net;
using System.Text.Json;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;
using static TaskGraph.Tests.Node.Http.Http;

namespace TaskGraph.Tests.Node.Http;

/// <summary>
/// The HTTP surface with a plain HttpClient: 401 with the protected-resource challenge for every kind of bad bearer token,
/// a revoke that holds within a second, the unauthenticated metadata and health endpoints, DNS-rebinding refusals before
/// auth, and the token CLI's answers.
/// </summary>
public sealed class HttpAuthTests(HttpNodeFixture fixture) : IClassFixture<HttpNodeFixture>
{
    /// <summary>Authorization header values that must all get 401 (null: no header).</summary>
    public static TheoryData<string?> BadAuthorizations => new()
    {
        (string?)null,
        "Basic x",
        "Bearer",
        "Bearer ",
        "bearer-but-not-really tgk_x",
        "Bearer tgk_this-token-was-never-issued",
    };

    [Fact]
    public async Task A_valid_bearer_token_is_let_through()
    {
        using var http = NewClient();
        using var request = InitializePost(fixture.Node.Endpoint, "Bearer " + fixture.AdminToken);
        using var response = await http.SendAsync(request, Timeout());
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
    }

    [Theory]
    [MemberData(nameof(BadAuthorizations))]
    public async Task A_missing_malformed_or_unknown_token_gets_401_with_the_resource_metadata_challenge(string? authorization)
    {
        using var http = NewClient();
        using var request = InitializePost(fixture.Node.Endpoint, authorization);
        using var response = await http.SendAsync(request, Timeout());
        await AssertUnauthenticatedAsync(response);
    }

    [Fact]
    public async Task A_revoked_token_gets_401_within_a_second()
    {
        var ct = Timeout(90);
        var name = Unique("revoke-me");
        var secret = await fixture.Node.CreateTokenAsync(name, "worker", ct);
        using var http = NewClient();
        Assert.Equal(200, await InitializeStatusAsync(http, fixture.Node.Endpoint, secret, ct));

        await fixture.Node.RevokeTokenAsync(name, ct);
        await WithinPropagationLimitAsync(
            async () => await InitializeStatusAsync(http, fixture.Node.Endpoint, secret, ct) == 401, "the revoked token gets 401", ct);

        using var request = InitializePost(fixture.Node.Endpoint, "Bearer " + secret);
        using var response = await http.SendAsync(request, ct);
        await AssertUnauthenticatedAsync(response);

        // Other tokens of the node are untouched.
        Assert.Equal(200, await InitializeStatusAsync(http, fixture.Node.Endpoint, fixture.AdminToken, ct));
    }

    [Fact]
    public async Task An_expired_token_gets_401_and_one_that_has_not_expired_is_let_through()
    {
        var ct = Timeout(90);
        using var http = NewClient();
        var lasting = await fixture.Node.CreateTokenAsync(Unique("lasting"), "viewer", ct, "--expires", "30d");
        Assert.Equal(200, await InitializeStatusAsync(http, fixture.Node.Endpoint, lasting, ct));

        // 1s: the shortest lifetime the CLI takes. The wait is generous (no timing claim): it only has to run out.
        var brief = await fixture.Node.CreateTokenAsync(Unique("brief"), "viewer", ct, "--expires", "1s");
        await UntilAsync(
            async () => await InitializeStatusAsync(http, fixture.Node.Endpoint, brief, ct) == 401,
            "the 1s token expires", CancellationTokenSource.CreateLinkedTokenSource(ct, new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token).Token);
        using var request = InitializePost(fixture.Node.Endpoint, "Bearer " + brief);
        using var response = await http.SendAsync(request, ct);
        await AssertUnauthenticatedAsync(response);
    }

    [Fact]
    public async Task The_protected_resource_metadata_names_the_mcp_endpoint_without_auth()
    {
        using var http = NewClient();
        using var response = await http.GetAsync(new Uri(fixture.Node.BaseUrl + "/.well-known/oauth-protected-resource"), Timeout());
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {text}");
        var metadata = JsonDocument.Parse(text).RootElement;
        Assert.Equal(fixture.Node.BaseUrl + "/mcp", String(metadata, "resource"));
        Assert.Equal(["header"], Strings(metadata, "bearer_methods_supported"));
    }

    [Fact]
    public async Task Healthz_and_readyz_answer_without_auth()
    {
        var ct = Timeout();
        using var http = NewClient();
        using var health = await http.GetAsync(new Uri(fixture.Node.BaseUrl + "/healthz"), ct);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("ok", String(JsonDocument.Parse(await health.Content.ReadAsStringAsync(ct)).RootElement, "status"));

        // The fixture already served calls, so the read model has caught up: ready at once.
        using var ready = await http.GetAsync(new Uri(fixture.Node.BaseUrl + "/readyz"), ct);
        var text = await ready.Content.ReadAsStringAsync(ct);
        Assert.True(ready.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)ready.StatusCode}: {text}");
        Assert.Equal("ready", String(JsonDocument.Parse(text).RootElement, "status"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_foreign_host_header_gets_403_before_auth(bool withValidToken)
    {
        using var http = NewClient();
        using var request = InitializePost(fixture.Node.Endpoint, withValidToken ? "Bearer " + fixture.AdminToken : null);
        request.Headers.Host = "evil.example";
        using var response = await http.SendAsync(request, Timeout());
        await AssertForbiddenAsync(response);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_foreign_origin_gets_403_before_auth(bool withValidToken)
    {
        using var http = NewClient();
        using var request = InitializePost(fixture.Node.Endpoint, withValidToken ? "Bearer " + fixture.AdminToken : null);
        request.Headers.Add("Origin", "http://evil.example");
        using var response = await http.SendAsync(request, Timeout());
        await AssertForbiddenAsync(response);
    }

    [Fact]
    public async Task The_node_own_origin_and_localhost_host_are_allowed()
    {
        using var http = NewClient();
        using var withOrigin = InitializePost(fixture.Node.Endpoint, "Bearer " + fixture.AdminToken);
        withOrigin.Headers.Add("Origin", fixture.Node.BaseUrl);
        using var originResponse = await http.SendAsync(withOrigin, Timeout());
        Assert.Equal(HttpStatusCode.OK, originResponse.StatusCode);

        using var withLocalhost = InitializePost(fixture.Node.Endpoint, "Bearer " + fixture.AdminToken);
        withLocalhost.Headers.Host = "localhost:" + fixture.Node.Port;
        using var localhostResponse = await http.SendAsync(withLocalhost, Timeout());
        Assert.Equal(HttpStatusCode.OK, localhostResponse.StatusCode);
    }

    [Fact]
    public async Task Token_create_list_and_revoke_answer_as_the_contract_says_and_list_never_prints_secrets()
    {
        var ct = Timeout(120);
        var name = Unique("cli");
        var secret = await fixture.Node.CreateTokenAsync(name, "worker", ct, "--worker-id", "cli-w", "--tags", "backend,db", "--expires", "30d");

        var duplicate = await fixture.Node.RunCliAsync(ct, "token", "create", "--name", name, "--role", "viewer");
        Assert.Equal(2, duplicate.ExitCode);
        Assert.Contains("already exists", duplicate.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("tgk_", duplicate.Stdout, StringComparison.Ordinal);

        var badRole = await fixture.Node.RunCliAsync(ct, "token", "create", "--name", Unique("cli-bad"), "--role", "overlord");
        Assert.Equal(2, badRole.ExitCode);
        Assert.DoesNotContain("tgk_", badRole.Stdout, StringComparison.Ordinal);

        foreach (var badName in new[] { "", "two words", new string('n', 101) })
        {
            var refused = await fixture.Node.RunCliAsync(ct, "token", "create", "--name", badName, "--role", "viewer");
            Assert.True(refused.ExitCode == 2 && refused.Stderr.Contains("--name", StringComparison.Ordinal), $"name '{badName}': exit {refused.ExitCode}, {refused.Stderr}");
            Assert.DoesNotContain("tgk_", refused.Stdout, StringComparison.Ordinal);
        }

        var json = await fixture.Node.RunCliAsync(ct, "token", "list", "--json");
        Assert.Equal(0, json.ExitCode);
        Assert.DoesNotContain(secret, json.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(secret["tgk_".Length..], json.Stdout, StringComparison.Ordinal);
        var mine = Assert.Single(JsonDocument.Parse(json.Stdout).RootElement.EnumerateArray(), t => String(t, "name") == name);
        Assert.Equal(("worker", "cli-w"), (String(mine, "role"), String(mine, "worker_id")));
        Assert.Equal(["backend", "db"], Strings(mine, "tags").Order(StringComparer.Ordinal));
        Assert.True(mine.TryGetProperty("created_at", out var created) && created.ValueKind != JsonValueKind.Null, mine.GetRawText());
        Assert.True(mine.TryGetProperty("expires_at", out var expires) && expires.ValueKind != JsonValueKind.Null, mine.GetRawText());
        Assert.Contains(JsonDocument.Parse(json.Stdout).RootElement.EnumerateArray(), t => String(t, "name") == "fixture-admin" && String(t, "role") == "admin");

        var plain = await fixture.Node.RunCliAsync(ct, "token", "list");
        Assert.Equal(0, plain.ExitCode);
        Assert.Contains(name, plain.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, plain.Stdout, StringComparison.Ordinal);

        var unknown = await fixture.Node.RunCliAsync(ct, "token", "revoke", Unique("never-made"));
        Assert.Equal(2, unknown.ExitCode);
        await fixture.Node.RevokeTokenAsync(name, ct);
    }

    private async Task AssertUnauthenticatedAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"expected 401, got {(int)response.StatusCode}: {text}");
        var challenge = string.Join(", ", response.Headers.WwwAuthenticate.Select(h => h.ToString()));
        Assert.StartsWith("Bearer", challenge, StringComparison.Ordinal);
        Assert.Contains($"resource_metadata=\"{fixture.Node.BaseUrl}/.well-known/oauth-protected-resource\"", challenge, StringComparison.Ordinal);
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal("UNAUTHENTICATED", String(body, "code"));
        Assert.False(string.IsNullOrWhiteSpace(String(body, "message")), text);
    }

    private static async Task AssertForbiddenAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"expected 403, got {(int)response.StatusCode}: {text}");
        Assert.Equal("FORBIDDEN", String(JsonDocument.Parse(text).RootElement, "code"));
    }
}
