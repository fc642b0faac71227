using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using TaskGraph.Node.Configuration;
using TaskGraph.Tests.Node.Mcp;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.Resources;

/// <summary>
/// The <c>config://</c> and <c>docs://</c> resources over a config loaded the way a node loads it (the shipped
/// workflows and overlays as the install tier): listed, readable as JSON with their documented fields, without any
/// secret, and the resource-not-found error for a name a template does not know.
/// </summary>
[Trait("Lane", "fast")]
public sealed class ConfigAndDocsResourceTests : IAsyncLifetime
{
    private const string TokenSecret = "tok-3e1f9c0a";
    private const string PasswordSecret = "pw-77d2b4e8";
    private const string UrlSecret = "url-pw-5a0c";

    // Never dialled (the node under test serves from memory); random so no fixed port appears in the tests.
    private readonly int _natsPort = Random.Shared.Next(20_000, 60_000);

    private static readonly string[] FixedUris =
    [
        "config://current", "config://states", "config://phases", "config://dependencies", "config://tags",
        "docs://skills/list", "docs://workflows/list", "docs://overlays/list", "docs://index",
    ];

    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));
    private readonly string _project = TestPaths.TempDir("resources");
    private InMemoryNode? _node;

    private CancellationToken Ct => _timeout.Token;

    public async ValueTask InitializeAsync()
    {
        var dir = Path.Combine(_project, "task-graph");
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "config.yaml"), $"""
            server:
              nats:
                url: nats://ops:{UrlSecret}@127.0.0.1:{_natsPort}
                token: "${"{"}env:TG_TEST_NATS_TOKEN{"}"}"
                password: "${"{"}env:TG_TEST_NATS_PASSWORD{"}"}"
                user: ops
            tags:
              unknown_tag: warn
              definitions:
                backend: {"{"} category: area, description: Server-side code {"}"}
                docs: {"{"} category: area {"}"}
                urgent: {"{"} category: priority {"}"}
            feedback:
              enabled: true
            """, Ct);
        var loaded = ConfigLoader.Load(new ConfigLoadOptions
        {
            ProjectDirectory = _project,
            InstallDirectories = [TestPaths.ShippedConfig],
            Environment = new Dictionary<string, string> { ["TG_TEST_NATS_TOKEN"] = TokenSecret, ["TG_TEST_NATS_PASSWORD"] = PasswordSecret },
        });
        Assert.Equal(TokenSecret, loaded.Nats!.Token);
        _node = await InMemoryNode.StartAsync(loaded, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }

        Directory.Delete(_project, recursive: true);
        _timeout.Dispose();
    }

    [Fact]
    public async Task Resources_list_has_the_config_and_docs_resources_and_their_templates()
    {
        var listed = (await _node!.Client.ListResourcesAsync(cancellationToken: Ct)).Select(r => r.Uri).ToList();
        Assert.Empty(FixedUris.Except(listed));
        Assert.Contains("query://tasks/all", listed);
        var templates = (await _node.Client.ListResourceTemplatesAsync(cancellationToken: Ct)).Select(t => t.UriTemplate).ToList();
        Assert.Empty(new[] { "docs://skills/{name}", "docs://workflows/{name}", "docs://overlays/{name}" }.Except(templates));
    }

    [Fact]
    public async Task Every_fixed_resource_reads_as_one_json_object()
    {
        foreach (var uri in FixedUris)
        {
            var (json, mime) = await ReadAsync(uri);
            Assert.Equal(JsonValueKind.Object, json.ValueKind);
            Assert.Equal("application/json", mime);
        }
    }

    [Fact]
    public async Task Config_current_is_the_effective_config_without_any_secret()
    {
        var (current, _) = await ReadAsync("config://current");
        var text = current.GetRawText();
        foreach (var secret in new[] { TokenSecret, PasswordSecret, UrlSecret })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        var server = current.GetProperty("server");
        Assert.Equal(("nats", 5), (String(server, "store"), server.GetProperty("claim_limit").GetInt32()));
        var nats = server.GetProperty("nats");
        Assert.Equal($"nats://***@127.0.0.1:{_natsPort}", String(nats, "url"));
        Assert.Equal(("***", "***", "***"), (String(nats, "token"), String(nats, "password"), String(nats, "user")));
        Assert.True(current.GetProperty("feedback").GetProperty("enabled").GetBoolean());
        Assert.Equal("area", String(current.GetProperty("tags").GetProperty("definitions").GetProperty("backend"), "category"));
        Assert.Contains("kanban", Strings(current, "workflows"));
        Assert.Equal(["read"], Strings(server.GetProperty("auth").GetProperty("roles"), "viewer"));
        Assert.Equal("start", String(current.GetProperty("dependencies").GetProperty("blocks"), "blocks"));
    }

    [Fact]
    public async Task Config_states_describes_the_default_workflow()
    {
        var (states, _) = await ReadAsync("config://states");
        Assert.Equal(("pending", "pending"), (String(states, "initial_state"), String(states, "disconnect_state")));
        Assert.Equal(["working"], Strings(states, "timed_states"));
        Assert.Equal(["cancelled"], Strings(states, "terminal_states"));
        Assert.Equal(["pending", "assigned", "working"], Strings(states, "blocking_states"));
        var working = states.GetProperty("states").GetProperty("working");
        Assert.Equal(["completed", "failed", "pending"], Strings(working, "exits"));
        Assert.True(working.GetProperty("timed").GetBoolean());
        Assert.True(working.GetProperty("blocking").GetBoolean());
        Assert.True(states.GetProperty("states").GetProperty("cancelled").GetProperty("terminal").GetBoolean());
        var counts = states.GetProperty("counts");
        Assert.Equal((6, 1, 1, 3), (counts.GetProperty("states").GetInt32(), counts.GetProperty("timed").GetInt32(), counts.GetProperty("terminal").GetInt32(), counts.GetProperty("blocking").GetInt32()));
    }

    [Fact]
    public async Task Config_phases_dependencies_and_tags_have_their_fields()
    {
        var (phases, _) = await ReadAsync("config://phases");
        Assert.Contains("implement", Strings(phases, "phases"));
        Assert.Equal("warn", String(phases, "unknown_phase"));
        Assert.Equal(Strings(phases, "phases").Count, phases.GetProperty("count").GetInt32());

        var (dependencies, _) = await ReadAsync("config://dependencies");
        Assert.Equal(["blocks", "follows"], Strings(dependencies, "start_blocking"));
        Assert.Equal(["contains"], Strings(dependencies, "completion_blocking"));
        Assert.Equal(("vertical", "completion"), (String(dependencies.GetProperty("types").GetProperty("contains"), "display"), String(dependencies.GetProperty("types").GetProperty("contains"), "blocks")));

        var (tags, _) = await ReadAsync("config://tags");
        Assert.Equal("warn", String(tags, "unknown_tag"));
        var area = tags.GetProperty("by_category").GetProperty("area").EnumerateArray().ToList();
        Assert.Equal(["backend", "docs"], area.Select(t => String(t, "name")));
        Assert.Equal("Server-side code", String(area[0], "description"));
        Assert.Equal("urgent", String(tags.GetProperty("by_category").GetProperty("priority")[0], "name"));
        Assert.Equal(3, tags.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Docs_skills_lists_the_skills_and_reads_one_by_name()
    {
        var (list, _) = await ReadAsync("docs://skills/list");
        var skills = list.GetProperty("skills").EnumerateArray().ToList();
        Assert.Equal(["basics", "migration", "repair", "reporting"], skills.Select(s => String(s, "name")));
        Assert.Equal("docs://skills/basics", String(skills[0], "uri"));

        var (skill, _) = await ReadAsync("docs://skills/task-graph-repair");
        Assert.Equal(("repair", "embedded", "text/markdown"), (String(skill, "name"), String(skill, "source"), String(skill, "mime_type")));
        Assert.Contains("cleanup_stale", String(skill, "content"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Docs_workflows_lists_the_workflows_with_the_default_and_reads_one()
    {
        var (list, _) = await ReadAsync("docs://workflows/list");
        Assert.Equal("default", String(list, "default_workflow"));
        var names = list.GetProperty("workflows").EnumerateArray().Select(w => String(w, "name")).ToList();
        Assert.Equal(["git-worktree", "hierarchical", "kanban", "push", "relay", "solo", "sprint", "swarm"], names);
        Assert.Equal(8, list.GetProperty("count").GetInt32());

        var (kanban, _) = await ReadAsync("docs://workflows/kanban");
        Assert.Equal("backlog", String(kanban.GetProperty("settings"), "initial_state"));
        var review = kanban.GetProperty("states").GetProperty("review");
        Assert.True(review.GetProperty("timed").GetBoolean());
        Assert.Equal((true, false), (review.GetProperty("has_enter_prompt").GetBoolean(), review.GetProperty("has_exit_prompt").GetBoolean()));
        Assert.Equal(["done", "in_progress"], Strings(review, "exits"));
        Assert.Equal(0, kanban.GetProperty("combo_count").GetInt32());
        Assert.Equal(JsonValueKind.Array, kanban.GetProperty("phases").ValueKind);

        var (builtIn, _) = await ReadAsync("docs://workflows/default");
        Assert.True(builtIn.GetProperty("default").GetBoolean());
        Assert.Equal("pending", String(builtIn.GetProperty("settings"), "initial_state"));
    }

    [Fact]
    public async Task Docs_overlays_lists_the_overlays_and_reads_one()
    {
        var (list, _) = await ReadAsync("docs://overlays/list");
        Assert.Equal(["git", "troubleshooting"], list.GetProperty("overlays").EnumerateArray().Select(o => String(o, "name")));
        Assert.All(list.GetProperty("overlays").EnumerateArray(), o => Assert.False(string.IsNullOrEmpty(String(o, "description"))));

        var (git, _) = await ReadAsync("docs://overlays/git");
        Assert.Equal("git", String(git, "name"));
        var working = git.GetProperty("states").GetProperty("working");
        Assert.Equal((true, true), (working.GetProperty("has_enter_prompt").GetBoolean(), working.GetProperty("has_exit_prompt").GetBoolean()));
        Assert.Equal(["status:working"], Strings(git, "gates"));
    }

    [Fact]
    public async Task Docs_index_lists_every_skill_workflow_and_overlay_by_uri()
    {
        var (index, _) = await ReadAsync("docs://index");
        var uris = index.GetProperty("resources").EnumerateArray().Select(r => String(r, "uri")!).ToList();
        Assert.Contains("docs://skills/basics", uris);
        Assert.Contains("docs://workflows/swarm", uris);
        Assert.Contains("docs://overlays/troubleshooting", uris);
        Assert.Contains("docs://workflows/list", uris);
        Assert.All(index.GetProperty("resources").EnumerateArray(), r => Assert.False(string.IsNullOrEmpty(String(r, "description")), r.GetRawText()));
    }

    [Theory]
    [InlineData("docs://skills/coordinator")]
    [InlineData("docs://skills/..%2Fconfig")]
    [InlineData("docs://workflows/waterfall")]
    [InlineData("docs://overlays/none")]
    public async Task An_unknown_name_in_a_template_is_resource_not_found(string uri)
    {
        var ex = await Assert.ThrowsAsync<McpProtocolException>(async () => await _node!.Client.ReadResourceAsync(uri, cancellationToken: Ct));
        Assert.Contains("Unknown resource: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(ex.ErrorCode, new[] { McpErrorCode.ResourceNotFound, McpErrorCode.InvalidParams });
    }

    private async Task<(JsonElement Json, string? MimeType)> ReadAsync(string uri)
    {
        var read = await _node!.Client.ReadResourceAsync(uri, cancellationToken: Ct);
        var contents = Assert.IsType<TextResourceContents>(Assert.Single(read.Contents));
        return (JsonDocument.Parse(contents.Text).RootElement.Clone(), contents.MimeType);
    }
}
