using TaskGraph.Core.Configuration;
using TaskGraph.Node.Configuration;
using TaskGraph.Tests.Node.Mcp;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.Skills;

/// <summary>
/// <c>list_skills</c> and <c>get_skill</c>: the four built-in skills compiled into the node, names with or without the
/// <c>task-graph-</c> prefix, overrides and custom skills from <c>server.skills_dir</c> (relative to the project
/// directory), and the refusals of a malformed or unknown name.
/// </summary>
[Trait("Lane", "fast")]
public sealed class SkillToolTests : IAsyncLifetime
{
    private static readonly string[] BuiltIns = ["basics", "migration", "repair", "reporting"];

    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));
    private readonly string _project = TestPaths.TempDir("skills");

    private CancellationToken Ct => _timeout.Token;

    private string SkillsDir => Path.Combine(_project, "task-graph", "skills");

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_project, recursive: true);
        _timeout.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task List_skills_lists_the_four_built_in_skills_without_content()
    {
        await using var node = await StartAsync();
        var listed = await node.Client.CallAsync("list_skills", null, Ct);

        var skills = listed.GetProperty("skills").EnumerateArray().ToList();
        Assert.Equal(BuiltIns, skills.Select(s => String(s, "name")));
        Assert.Equal(4, listed.GetProperty("count").GetInt32());
        foreach (var skill in skills)
        {
            Assert.Equal("task-graph-" + String(skill, "name"), String(skill, "full_name"));
            Assert.False(string.IsNullOrWhiteSpace(String(skill, "description")));
            Assert.False(string.IsNullOrWhiteSpace(String(skill, "role")));
            Assert.Equal(("embedded", "text/markdown"), (String(skill, "source"), String(skill, "mime_type")));
            Assert.False(skill.GetProperty("overridden").GetBoolean());
            Assert.False(skill.TryGetProperty("content", out _));
        }

        Assert.Equal("foundation", String(skills[0], "role"));
    }

    [Fact]
    public async Task Get_skill_answers_the_same_skill_with_and_without_the_prefix()
    {
        await using var node = await StartAsync();
        var plain = await node.Client.CallAsync("get_skill", new { name = "basics" }, Ct);
        var prefixed = await node.Client.CallAsync("get_skill", new { name = "task-graph-basics" }, Ct);

        Assert.Equal(plain.GetRawText(), prefixed.GetRawText());
        Assert.Equal(("basics", "task-graph-basics", "embedded"), (String(plain, "name"), String(plain, "full_name"), String(plain, "source")));
        var content = String(plain, "content")!;
        Assert.StartsWith("---\nname: task-graph-basics\n", content, StringComparison.Ordinal);
        foreach (var tool in new[] { "connect(", "list_tasks(ready=true)", "claim(", "thinking(", "mark_file(", "status=\"completed\"" })
        {
            Assert.Contains(tool, content, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Every_built_in_skill_has_frontmatter_and_a_body()
    {
        await using var node = await StartAsync();
        foreach (var name in BuiltIns)
        {
            var skill = await node.Client.CallAsync("get_skill", new { name }, Ct);
            var content = String(skill, "content")!;
            Assert.StartsWith($"---\nname: task-graph-{name}\ndescription: ", content, StringComparison.Ordinal);
            Assert.Contains("\n# ", content, StringComparison.Ordinal);
            Assert.Equal(name == "basics" ? "foundation" : name, String(skill, "role"));
        }
    }

    [Fact]
    public async Task A_skill_in_skills_dir_overrides_the_built_in_one_under_either_name()
    {
        Write("basics", "---\nname: basics\ndescription: Our house rules first.\n---\n\n# House basics\n");
        Write("task-graph-repair", "# Repair, our way\n");
        await using var node = await StartAsync();

        var basics = await node.Client.CallAsync("get_skill", new { name = "task-graph-basics" }, Ct);
        Assert.Equal(("local", true), (String(basics, "source"), basics.GetProperty("overridden").GetBoolean()));
        Assert.Contains("# House basics", String(basics, "content"), StringComparison.Ordinal);
        Assert.Equal(("Our house rules first.", "foundation", "task-graph-basics"), (String(basics, "description"), String(basics, "role"), String(basics, "full_name")));

        var repair = await node.Client.CallAsync("get_skill", new { name = "repair" }, Ct);
        Assert.Equal("# Repair, our way\n", String(repair, "content"));
        Assert.True(repair.GetProperty("overridden").GetBoolean());
        Assert.Equal("repair", String(repair, "role"));

        var listed = (await node.Client.CallAsync("list_skills", null, Ct)).GetProperty("skills").EnumerateArray().ToList();
        Assert.Equal(BuiltIns, listed.Select(s => String(s, "name")));
        Assert.Equal(["basics", "repair"], listed.Where(s => s.GetProperty("overridden").GetBoolean()).Select(s => String(s, "name")!));
        Assert.Equal("embedded", String(listed.Single(s => String(s, "name") == "reporting"), "source"));
    }

    [Fact]
    public async Task A_skill_found_only_in_skills_dir_is_listed_as_custom_unless_it_names_a_role()
    {
        Write("deploy", "---\ndescription: How we ship a release.\n---\n\n# Deploying\n");
        Write("task-graph-triage", "---\nname: triage\nrole: lead\n---\n\n# Triage\n");
        Write("not a name", "# ignored: the directory name is not a skill name\n");
        await using var node = await StartAsync();

        var listed = (await node.Client.CallAsync("list_skills", null, Ct)).GetProperty("skills").EnumerateArray().ToList();
        Assert.Equal([.. BuiltIns, "deploy", "triage"], listed.Select(s => String(s, "name")));
        var deploy = listed.Single(s => String(s, "name") == "deploy");
        Assert.Equal(("custom", "local", "How we ship a release.", "deploy"), (String(deploy, "role"), String(deploy, "source"), String(deploy, "description"), String(deploy, "full_name")));
        Assert.False(deploy.GetProperty("overridden").GetBoolean());
        Assert.Equal(("lead", "task-graph-triage"), (String(listed.Single(s => String(s, "name") == "triage"), "role"), String(listed.Single(s => String(s, "name") == "triage"), "full_name")));

        var got = await node.Client.CallAsync("get_skill", new { name = "deploy" }, Ct);
        Assert.Contains("# Deploying", String(got, "content"), StringComparison.Ordinal);
        Assert.EndsWith("\n# Triage\n", String(await node.Client.CallAsync("get_skill", new { name = "task-graph-triage" }, Ct), "content"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_edit_in_skills_dir_shows_at_the_next_call()
    {
        await using var node = await StartAsync();
        Assert.Equal("embedded", String(await node.Client.CallAsync("get_skill", new { name = "reporting" }, Ct), "source"));

        Write("reporting", "# Reports for our board\n");
        var edited = await node.Client.CallAsync("get_skill", new { name = "reporting" }, Ct);
        Assert.Equal(("local", "# Reports for our board\n"), (String(edited, "source"), String(edited, "content")));
    }

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("basics/../../x")]
    [InlineData("a b")]
    [InlineData("task-graph-basics.md")]
    public async Task A_name_that_is_not_letters_digits_dashes_or_underscores_is_an_invalid_value(string name)
    {
        await using var node = await StartAsync();
        var (code, message, field) = await node.Client.CallExpectErrorAsync("get_skill", new { name }, Ct);
        Assert.Equal(("INVALID_FIELD_VALUE", "name"), (code, field));
        Assert.Contains("64", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_longer_than_64_characters_is_an_invalid_value()
    {
        await using var node = await StartAsync();
        var (code, _, field) = await node.Client.CallExpectErrorAsync("get_skill", new { name = new string('a', 65) }, Ct);
        Assert.Equal(("INVALID_FIELD_VALUE", "name"), (code, field));
    }

    [Fact]
    public async Task An_unknown_skill_is_skill_not_found_listing_the_skills_there_are()
    {
        await using var node = await StartAsync();
        var envelope = await node.Client.CallExpectErrorEnvelopeAsync("get_skill", new { name = "coordinator" }, Ct);
        Assert.Equal(("SKILL_NOT_FOUND", "name"), (String(envelope, "code"), String(envelope, "field")));
        Assert.Equal("Skill not found: coordinator. Available skills: basics, migration, repair, reporting", String(envelope, "message"));
        Assert.DoesNotContain(_project, envelope.GetRawText(), StringComparison.Ordinal);

        var (code, _, field) = await node.Client.CallExpectErrorAsync("get_skill", null, Ct);
        Assert.Equal(("MISSING_REQUIRED_FIELD", "name"), (code, field));
    }

    /// <summary>A node whose config was loaded for <see cref="_project"/>, with the default <c>server.skills_dir</c> (task-graph/skills).</summary>
    private Task<InMemoryNode> StartAsync() =>
        InMemoryNode.StartAsync(LoadedConfig.Of(new TaskGraphConfig()) with { Options = new ConfigLoadOptions { ProjectDirectory = _project } }, Ct);

    private void Write(string folder, string text)
    {
        var dir = Path.Combine(SkillsDir, folder);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "SKILL.md"), text);
    }
}
