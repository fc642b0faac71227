using System.Net;
using System.Text.Json;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;
using static TaskGraph.Tests.Node.Http.Http;

namespace TaskGraph.Tests.Node.Http;

/// <summary>
/// One node serving two graphs (<c>--graph alpha --graph beta</c>) over HTTP: each graph at <c>/mcp/&lt;graph&gt;</c>
/// (the first also at <c>/mcp</c>) with its own store and its own tokens; a task created in one graph is not in the
/// other; an unknown graph is a 404 naming the served ones; a session begun on one graph cannot be used on another.
/// </summary>
public sealed class MultiGraphTests : IAsyncLifetime
{
    private HttpNode _node = null!;
    private string _both = null!;
    private string _betaOnly = null!;

    public async ValueTask InitializeAsync()
    {
        var ct = Timeout(120);
        _node = await HttpNode.StartAsync(ct, "--graph", "alpha", "--graph", "beta");
        _both = await _node.CreateTokenAsync("both", "admin", ct, "--graph", "alpha", "--graph", "beta");
        _betaOnly = await _node.CreateTokenAsync("beta-only", "admin", ct, "--graph", "beta");
    }

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    private Uri Graph(string name) => new($"{_node.BaseUrl}/mcp/{name}");

    [Fact]
    public async Task Each_graph_keeps_its_own_tasks_in_its_own_store()
    {
        var ct = Timeout(90);
        await using var alpha = await HttpMcpSession.ConnectAsync(Graph("alpha"), _both, null, ct);
        await using var beta = await HttpMcpSession.ConnectAsync(Graph("beta"), _both, null, ct);
        await using var first = await HttpMcpSession.ConnectAsync(_node.Endpoint, _both, null, ct);

        var inBeta = (await beta.CallAsync("create", new { title = "only in beta" }, ct)).GetProperty("id").GetString()!;
        var inAlpha = (await first.CallAsync("create", new { title = "in alpha through /mcp" }, ct)).GetProperty("id").GetString()!;

        var betaIds = Ids(await beta.CallAsync("list_tasks", new { format = "json" }, ct));
        var alphaIds = Ids(await alpha.CallAsync("list_tasks", new { format = "json" }, ct));
        Assert.Contains(inBeta, betaIds);
        Assert.DoesNotContain(inAlpha, betaIds);
        Assert.Contains(inAlpha, alphaIds);
        Assert.DoesNotContain(inBeta, alphaIds);

        var getOther = await alpha.CallExpectErrorAsync("get", new { task = inBeta }, ct);
        Assert.Equal("TASK_NOT_FOUND", getOther.GetProperty("code").GetString());

        // SQLite: the graph named default lives in --db; any other graph in <graph>.db beside it.
        Assert.True(File.Exists(Path.Combine(_node.WorkDir, "alpha.db")), "alpha.db beside --db");
        Assert.True(File.Exists(Path.Combine(_node.WorkDir, "beta.db")), "beta.db beside --db");
    }

    [Fact]
    public async Task A_token_opens_only_the_graphs_it_was_created_for()
    {
        var ct = Timeout(60);
        using var http = NewClient();
        Assert.Equal(200, await InitializeStatusAsync(http, Graph("beta"), _betaOnly, ct));
        Assert.Equal(401, await InitializeStatusAsync(http, Graph("alpha"), _betaOnly, ct));
        Assert.Equal(401, await InitializeStatusAsync(http, _node.Endpoint, _betaOnly, ct));
        Assert.Equal(200, await InitializeStatusAsync(http, Graph("alpha"), _both, ct));

        var list = await _node.RunCliAsync(ct, "token", "list", "--json", "--graph", "alpha", "--graph", "beta");
        Assert.True(list.ExitCode == 0, list.Stderr);
        var rows = JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray()
            .Select(t => $"{t.GetProperty("name").GetString()}@{t.GetProperty("graph").GetString()}").Order().ToList();
        Assert.Equal(["beta-only@beta", "both@alpha", "both@beta"], rows);
        Assert.DoesNotContain("tgk_", list.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_graphs_401_names_that_graphs_own_protected_resource_metadata()
    {
        var ct = Timeout(60);
        using var http = NewClient();
        using var request = InitializePost(Graph("beta"), null);
        using var response = await http.SendAsync(request, ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        var metadataUrl = $"{_node.BaseUrl}/.well-known/oauth-protected-resource/mcp/beta";
        Assert.Contains($"resource_metadata=\"{metadataUrl}\"", challenge, StringComparison.Ordinal);

        var metadata = JsonDocument.Parse(await http.GetStringAsync(new Uri(metadataUrl), ct)).RootElement;
        Assert.Equal($"{_node.BaseUrl}/mcp/beta", metadata.GetProperty("resource").GetString());
        var root = JsonDocument.Parse(await http.GetStringAsync(new Uri($"{_node.BaseUrl}/.well-known/oauth-protected-resource"), ct)).RootElement;
        Assert.Equal($"{_node.BaseUrl}/mcp", root.GetProperty("resource").GetString());
    }

    [Fact]
    public async Task An_unknown_graph_is_a_404_naming_the_served_graphs()
    {
        var ct = Timeout(60);
        using var http = NewClient();
        using var request = InitializePost(Graph("gamma"), "Bearer " + _both);
        using var response = await http.SendAsync(request, ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement;
        Assert.Equal("NOT_FOUND", body.GetProperty("code").GetString());
        Assert.Contains("alpha, beta", body.GetProperty("message").GetString(), StringComparison.Ordinal);

        using var ready = await http.GetAsync(new Uri(_node.BaseUrl + "/readyz"), ct);
        var graphs = JsonDocument.Parse(await ready.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("graphs");
        Assert.Equal(["alpha", "beta"], graphs.EnumerateObject().Select(p => p.Name).Order().ToList());
    }

    [Fact]
    public async Task A_session_begun_on_one_graph_is_refused_on_another()
    {
        var ct = Timeout(60);
        await using var session = await HttpMcpSession.ConnectAsync(Graph("alpha"), _both, "2025-06-18", ct);
        Assert.False(string.IsNullOrEmpty(session.SessionId), "a 2025-06-18 client holds a session");

        using var http = NewClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, Graph("beta"))
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"list_tasks","arguments":{}}}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.Add("Authorization", "Bearer " + _both);
        request.Headers.Add("Mcp-Session-Id", session.SessionId);
        request.Headers.Add("MCP-Protocol-Version", "2025-06-18");
        using var response = await http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        Assert.True((int)response.StatusCode is 403 or 404, $"expected the session to be refused on another graph, got {(int)response.StatusCode}: {text}");
    }

    private static List<string> Ids(JsonElement list) =>
        [.. (list.ValueKind == JsonValueKind.Array ? list : list.GetProperty("tasks")).EnumerateArray().Select(t => t.GetProperty("id").GetString()!)];
}
