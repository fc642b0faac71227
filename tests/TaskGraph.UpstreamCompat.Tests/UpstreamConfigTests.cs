using TaskGraph.Node.Configuration;

namespace TaskGraph.UpstreamCompat.Tests;

/// <summary>task-graph-mcp's own config and workflow files load unchanged.</summary>
public sealed class UpstreamConfigTests : IDisposable
{
    private readonly string _root = CompatPaths.TempDir("compat");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string ConfigFile => Path.Combine(CompatPaths.RequireConfigDir(), "config.yaml");

    [Fact]
    public void The_upstream_config_and_every_upstream_workflow_load_unchanged()
    {
        var dir = CompatPaths.RequireConfigDir();
        var loaded = ConfigLoader.Load(Options(ConfigFile));

        var expected = Directory.EnumerateFiles(dir, "workflow-*.yaml")
            .Select(f => Path.GetFileNameWithoutExtension(f)["workflow-".Length..]).Order().ToList();
        Assert.Equal(7, expected.Count);
        Assert.Equal(expected, loaded.Config.Workflows.Keys.Order());
        Assert.Equal(["git", "troubleshooting"], loaded.Overlays.Keys.Order());
        Assert.Equal("solo", loaded.Config.DefaultWorkflow.Name);
        Assert.Equal(5, loaded.Config.Server.ClaimLimit);
        Assert.Empty(loaded.Config.Validate());

        var kanban = loaded.Config.Workflows["kanban"];
        Assert.Equal("backlog", kanban.Settings.InitialState);
        Assert.True(kanban.HasState("in_progress"));
        Assert.Contains("combos", loaded.WorkflowFiles["solo"].Raw.Keys);
        Assert.Contains("gates", loaded.WorkflowFiles["solo"].Raw.Keys);

        // Gates and attachment types load as written.
        var soloGates = loaded.Config.Workflows["solo"].Gates["status:working"];
        Assert.Equal(["gate/tests", "gate/commit", "gate/build"], soloGates.Select(g => g.Type));
        Assert.All(soloGates, g => Assert.Equal("warn", g.Enforcement));
        var relay = loaded.Config.Workflows["relay"];
        Assert.Equal("reject", Assert.Single(relay.Gates["phase:design"]).Enforcement);
        Assert.Equal(["gate/commit", "gate/impl-notes"], relay.Gates["phase:implement"].Select(g => g.Type));
        Assert.Equal("text/git.hash", loaded.Config.Attachments.Definitions["commit"].Mime);
        Assert.Equal("replace", loaded.Config.Attachments.Definitions["meta"].Mode);
        Assert.Equal("warn", loaded.Config.Attachments.UnknownKey);

        // Phase prompts and combos too: a solo worker entering working+explore is told so.
        var solo = loaded.Config.Workflows["solo"];
        Assert.StartsWith("**Explore.**", solo.PhasePrompts["explore"].Enter, StringComparison.Ordinal);
        Assert.StartsWith("Explore thoroughly.", solo.Combos["working+explore"].Enter, StringComparison.Ordinal);
        var prompts = TaskGraph.Core.Workflows.TransitionPrompts.For(solo, "pending", null, "working", "explore", new TaskGraph.Core.Workflows.PromptContext { TaskId = "t" });
        Assert.Contains(prompts, p => p.Source == "workflow:enter~working%explore");
        Assert.DoesNotContain(prompts, p => p.Text.Contains("{{valid_exits}}", StringComparison.Ordinal));
    }

    [Fact]
    public void Each_upstream_workflow_works_as_the_default_workflow()
    {
        foreach (var file in Directory.EnumerateFiles(CompatPaths.RequireConfigDir(), "workflow-*.yaml"))
        {
            var name = Path.GetFileNameWithoutExtension(file)["workflow-".Length..];
            var user = Path.Combine(_root, "user");
            Directory.CreateDirectory(user);
            File.WriteAllText(Path.Combine(user, "config.yaml"), $"server:\n  default_workflow: {name}\n");
            var loaded = ConfigLoader.Load(Options(ConfigFile));
            Assert.Equal(name, loaded.Config.DefaultWorkflow.Name);
            Assert.NotEmpty(loaded.Config.DefaultWorkflow.Description ?? string.Empty);
        }
    }

    [Fact]
    public void Upstream_keys_that_are_not_implemented_yet_warn_one_line_each_and_never_fail()
    {
        var loaded = ConfigLoader.Load(Options(ConfigFile));

        // Sections of the workflow files TaskGraph does not implement yet (roles, combos, ...) warn; gates and attachments do not.
        Assert.Contains(loaded.Warnings, w => w.Contains("workflow-solo.yaml", StringComparison.Ordinal) && w.Contains("not implemented", StringComparison.Ordinal));
        Assert.DoesNotContain(loaded.Warnings, w => w.Contains("attachments.definitions", StringComparison.Ordinal));
        Assert.DoesNotContain(loaded.Warnings, w => w.Contains("gates", StringComparison.Ordinal) && w.Contains("not implemented", StringComparison.Ordinal) && !w.Contains("overlay-", StringComparison.Ordinal));
        Assert.All(loaded.Warnings, w => Assert.DoesNotContain('\n', w));
        Assert.DoesNotContain(loaded.Warnings, w => w.Contains("unknown key", StringComparison.Ordinal));
    }

    private ConfigLoadOptions Options(string configFile)
    {
        var project = Path.Combine(_root, "project");
        Directory.CreateDirectory(project);
        return new ConfigLoadOptions
        {
            ProjectDirectory = project,
            UserDirectory = Path.Combine(_root, "user"),
            Cli = new ConfigOverrides { ConfigFile = configFile },
        };
    }
}
