using TaskGraph.Core.Configuration;
using TaskGraph.Node.Configuration;

namespace TaskGraph.Tests.Node.Configuration;

[Trait("Lane", "fast")]
public sealed class ConfigLoaderTests : IDisposable
{
    private readonly string _root = TestPaths.TempDir("cfg");

    private string ProjectDir => Path.Combine(_root, "project");

    private string UserDir => Path.Combine(_root, "user");

    private string ProjectConfig => Path.Combine(ProjectDir, "task-graph", "config.yaml");

    private static string FixtureProject => Path.Combine(TestPaths.ConfigFixtures, "project");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_project_in_task_graph_mcp_shape_loads_its_config_workflows_and_overlays()
    {
        var loaded = ConfigLoader.Load(Options(cli: new ConfigOverrides { ConfigFile = Path.Combine(FixtureProject, "config.yaml") }));

        Assert.Equal(["duo", "line"], loaded.Config.Workflows.Keys.Order());
        Assert.Equal(["careful"], loaded.Overlays.Keys.Order());
        Assert.Equal("duo", loaded.Config.DefaultWorkflow.Name);
        Assert.Equal((4, 600), (loaded.Config.Server.ClaimLimit, loaded.Config.Server.StaleTimeoutSeconds));
        Assert.Equal("start", loaded.Config.Dependencies["waits-for"].Blocks);
        Assert.True(loaded.FeedbackEnabled);
        Assert.Empty(loaded.Config.Validate());

        var duo = loaded.Config.Workflows["duo"];
        Assert.Equal(("todo", "todo"), (duo.Settings.InitialState, duo.Settings.DisconnectState));
        Assert.True(duo.HasState("checking"));
        Assert.True(duo.IsTimed("writing"));
        Assert.Equal(["checking", "todo"], duo.States["writing"].Exits);
        Assert.StartsWith("**Writing.**", duo.States["writing"].EnterPrompt, StringComparison.Ordinal);
        Assert.StartsWith("Read the change as if", duo.States["checking"].EnterPrompt, StringComparison.Ordinal);
        Assert.Contains("polish", duo.Phases);
        foreach (var section in new[] { "roles", "combos", "role_prompts", "gates", "templates", "attachments", "duo" })
        {
            Assert.Contains(section, loaded.WorkflowFiles["duo"].Raw.Keys);
        }

        var line = loaded.Config.Workflows["line"];
        Assert.Equal("queued", line.Settings.InitialState);
        Assert.Contains("verify", line.Phases);
        Assert.Equal("Ask for a second look before anything is called finished", loaded.Overlays["careful"].Description);
    }

    [Fact]
    public void Each_fixture_workflow_works_as_the_default_workflow()
    {
        foreach (var name in new[] { "duo", "line" })
        {
            var loaded = ConfigLoader.Load(Options(
                cli: new ConfigOverrides { ConfigFile = Path.Combine(FixtureProject, "config.yaml") },
                user: $"server:\n  default_workflow: {name}\n"));
            Assert.Equal(name, loaded.Config.DefaultWorkflow.Name);
            Assert.NotEmpty(loaded.Config.DefaultWorkflow.Description ?? string.Empty);
        }
    }

    [Fact]
    public void Precedence_is_project_then_user_then_environment_then_cli()
    {
        const string Project = "server:\n  claim_limit: 1\n  graph: from-project\n  default_page_size: 11\n";
        const string User = "server:\n  claim_limit: 2\n  graph: from-user\n";

        var fileTiers = ConfigLoader.Load(Options(project: Project, user: User));
        Assert.Equal(2, fileTiers.Config.Server.ClaimLimit);
        Assert.Equal("from-user", fileTiers.Config.Server.Graph);
        Assert.Equal(11, fileTiers.Config.Server.DefaultPageSize);

        var env = new Dictionary<string, string> { ["TASK_GRAPH_CLAIM_LIMIT"] = "3", ["TASK_GRAPH_GRAPH"] = "from-env" };
        var withEnv = ConfigLoader.Load(Options(project: Project, user: User, env: env));
        Assert.Equal(3, withEnv.Config.Server.ClaimLimit);
        Assert.Equal("from-env", withEnv.Config.Server.Graph);

        var withCli = ConfigLoader.Load(Options(project: Project, user: User, env: env, cli: new ConfigOverrides { ClaimLimit = 4 }));
        Assert.Equal(4, withCli.Config.Server.ClaimLimit);
        Assert.Equal("from-env", withCli.Config.Server.Graph);
        Assert.Equal(11, withCli.Config.Server.DefaultPageSize);
    }

    [Fact]
    public void A_null_value_keeps_the_lower_tier()
    {
        var loaded = ConfigLoader.Load(Options(project: "server:\n  claim_limit: 7\n", user: "server:\n  claim_limit: ~\n"));
        Assert.Equal(7, loaded.Config.Server.ClaimLimit);
    }

    [Fact]
    public void An_explicit_config_file_replaces_only_the_project_tier()
    {
        var file = Path.Combine(_root, "elsewhere.yaml");
        File.WriteAllText(file, "server:\n  claim_limit: 8\n  stale_timeout_seconds: 60\n");
        var loaded = ConfigLoader.Load(Options(
            project: "server:\n  claim_limit: 1\n",
            user: "server:\n  stale_timeout_seconds: 120\n",
            env: new Dictionary<string, string> { ["TASK_GRAPH_CONFIG_PATH"] = file }));

        Assert.Equal(8, loaded.Config.Server.ClaimLimit);
        Assert.Equal(120, loaded.Config.Server.StaleTimeoutSeconds);
    }

    [Fact]
    public void Environment_nats_url_selects_the_nats_store()
    {
        var loaded = ConfigLoader.Load(Options(env: new Dictionary<string, string> { ["TASK_GRAPH_NATS_URL"] = "nats://nats.example:16000" }));
        Assert.Equal("nats", loaded.Config.Server.Store);
        Assert.Equal("nats://nats.example:16000", loaded.NatsUrl);
    }

    [Fact]
    public void Nats_secrets_are_resolved_from_environment_and_file_references_and_plain_secrets_warn()
    {
        var secretFile = Path.Combine(ProjectDir, "nats-token.txt");
        Directory.CreateDirectory(ProjectDir);
        File.WriteAllText(secretFile, "file-token\n");
        var loaded = ConfigLoader.Load(Options(
            project: $"server:\n  nats:\n    url: nats://nats.example:16000\n    replicas: 3\n    user: agent\n    password: ${{env:TG_TEST_NATS_PASSWORD}}\n    token: ${{file:{secretFile}}}\n    nkey_seed: SUAPLAINTEXT\n",
            env: new Dictionary<string, string> { ["TG_TEST_NATS_PASSWORD"] = "env-password" }));

        var nats = Assert.IsType<TaskGraph.Bus.Connection.NatsStoreOptions>(loaded.Nats);
        Assert.Equal(("nats://nats.example:16000", "default", 3, "agent", "env-password", "file-token"), (nats.Url, nats.Graph, nats.Replicas, nats.User, nats.Password, nats.Token));
        Assert.Contains(loaded.Warnings, w => w.Contains("server.nats.nkey_seed", StringComparison.Ordinal) && w.Contains("plain-text", StringComparison.Ordinal));
        Assert.DoesNotContain("env-password", nats.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("file-token", nats.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(loaded.Warnings, w => w.Contains("env-password", StringComparison.Ordinal) || w.Contains("file-token", StringComparison.Ordinal));
    }

    [Fact]
    public void A_secret_reference_to_a_missing_variable_fails_at_start_naming_the_key()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Load(Options(
            project: "server:\n  nats:\n    url: nats://nats.example:16000\n    password: ${env:TG_TEST_NOT_SET}\n")));
        Assert.Contains("server.nats.password: environment variable TG_TEST_NOT_SET is not set", ex.Message);
    }

    [Fact]
    public void Repeated_graphs_are_served_in_order_the_first_being_the_configured_graph()
    {
        var loaded = ConfigLoader.Load(Options(cli: new ConfigOverrides { Graph = "alpha", MoreGraphs = ["beta", "gamma_2"] }));
        Assert.Equal("alpha", loaded.Config.Server.Graph);
        Assert.Equal(["alpha", "beta", "gamma_2"], loaded.ServedGraphs);
        Assert.Equal(["default"], ConfigLoader.Load(Options()).ServedGraphs);
    }

    [Theory]
    [InlineData("has space", "graph name 'has space' must be 1 to 64 letters")]
    [InlineData("dots.not.allowed", "graph name 'dots.not.allowed' must be")]
    [InlineData("alpha", "graph 'alpha' is named twice")]
    public void A_bad_or_repeated_graph_name_fails_naming_the_key(string second, string expected)
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Load(Options(cli: new ConfigOverrides { Graph = "alpha", MoreGraphs = [second] })));
        Assert.Contains("server.graph: " + expected, ex.Message);
    }

    [Fact]
    public void A_wrong_type_fails_naming_the_key()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Load(Options(project: "server:\n  claim_limit: lots\n")));
        Assert.StartsWith("server.claim_limit: expected an integer, got 'lots'", ex.Message);
    }

    [Fact]
    public void A_wrong_environment_value_fails_naming_the_key_and_the_variable()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Load(Options(env: new Dictionary<string, string> { ["TASK_GRAPH_STALE_TIMEOUT"] = "soon" })));
        Assert.Contains("server.stale_timeout_seconds: expected an integer, got 'soon'", ex.Message);
        Assert.Contains("TASK_GRAPH_STALE_TIMEOUT", ex.Message);
    }

    [Theory]
    [InlineData("server: 5\n", "server: expected a map")]
    [InlineData("server:\n  default_format: yaml\n", "server.default_format: expected one of json, markdown, got 'yaml'")]
    [InlineData("server:\n  claim_limit: 0\n", "server.claim_limit: must be at least 1")]
    [InlineData("dependencies:\n  definitions:\n    blocks:\n      blocks: sometimes\n", "dependencies.definitions.blocks.blocks:")]
    [InlineData("auto_advance:\n  enabled: maybe\n", "auto_advance.enabled: expected true or false")]
    [InlineData("ids:\n  id_case: shouting\n", "ids.id_case:")]
    [InlineData("server:\n  default_workflow: nonesuch\n", "server.default_workflow: unknown workflow 'nonesuch'")]
    [InlineData("server:\n  claim_limit: [1\n", "invalid YAML")]
    [InlineData("server:\n  claim_limit: [1\n  graph: other\n", "config.yaml:2: invalid YAML: unexpected structure here (an unclosed '['")]
    [InlineData("server:\n  graph: a\n  graph: b\n", "invalid YAML")]
    [InlineData("server:\n\tgraph: a\n", "invalid YAML")]
    public void Bad_values_fail_naming_the_key(string yaml, string expected)
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Load(Options(project: yaml)));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void An_unknown_key_fails_naming_the_file_the_line_and_the_key_with_a_suggestion()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Load(Options(project: "server:\n  graph: g\n  clam_limit: 6\n")));
        Assert.Equal($"{ProjectConfig}:3: unknown key 'server.clam_limit' (did you mean 'server.claim_limit'?)", ex.Message);

        var far = Assert.Throws<ConfigException>(() => ConfigLoader.Load(Options(project: "something_new:\n  a: [1, 2]\n")));
        Assert.Equal($"{ProjectConfig}:1: unknown key 'something_new'", far.Message);
    }

    [Fact]
    public void Unknown_keys_under_a_named_entry_are_found_too()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Load(Options(
            project: "dependencies:\n  definitions:\n    waits-for:\n      display: horizontal\n      block: start\n")));
        Assert.Contains(":5: unknown key 'dependencies.definitions.waits-for.block' (did you mean 'dependencies.definitions.waits-for.blocks'?)", ex.Message);
    }

    [Fact]
    public void Keys_that_are_accepted_but_not_implemented_warn_one_line_each_naming_file_and_line_unless_they_hold_the_default()
    {
        var loaded = ConfigLoader.Load(Options(project:
            "server:\n  default_format: markdown\n  media_dir: task-graph/media\n  ui:\n    mode: web\nfeedback:\n  enabled: true\npaths:\n  mappings: {}\n"));

        Assert.Equal(
        [
            $"{ProjectConfig}:2: server.default_format is accepted but not implemented yet; it has no effect",
            $"{ProjectConfig}:5: server.ui.mode is accepted but not implemented yet; it has no effect",
        ], loaded.Warnings);
    }

    [Fact]
    public void A_project_in_task_graph_mcp_shape_warns_about_what_has_no_effect_yet_and_never_fails()
    {
        var loaded = ConfigLoader.Load(Options(cli: new ConfigOverrides { ConfigFile = Path.Combine(FixtureProject, "config.yaml") }));

        Assert.All(loaded.Warnings, w => Assert.DoesNotContain('\n', w));
        Assert.Contains(loaded.Warnings, w => w.Contains("config.yaml:13: server.ui.port is accepted but not implemented yet", StringComparison.Ordinal));
        Assert.Contains(loaded.Warnings, w => w.Contains("config.yaml:23: paths.mappings is accepted", StringComparison.Ordinal));
        Assert.DoesNotContain(loaded.Warnings, w => w.Contains("attachments.definitions", StringComparison.Ordinal));
        Assert.Contains(loaded.Warnings, w => w.EndsWith("workflow-duo.yaml: roles, role_prompts, duo, templates, attachments are accepted but not implemented yet; they have no effect", StringComparison.Ordinal));
        Assert.DoesNotContain(loaded.Warnings, w => w.Contains("overlay-careful.yaml", StringComparison.Ordinal));
        Assert.DoesNotContain(loaded.Warnings, w => w.Contains("workflow-line.yaml", StringComparison.Ordinal));
    }

    [Fact]
    public void The_shipped_workflows_load_without_warnings()
    {
        var loaded = ConfigLoader.Load(Options() with { InstallDirectories = [TestPaths.ShippedConfig] });
        Assert.Empty(loaded.Warnings);
    }

    [Fact]
    public void A_workflow_exit_to_an_unknown_state_fails_naming_the_workflow_and_key()
    {
        WriteProject("workflow-broken.yaml", "name: broken\nstates:\n  working:\n    exits: [completed, nowhere]\n    timed: true\n");
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Load(Options()));
        Assert.Contains("workflow 'broken': states.working.exits: unknown state 'nowhere'", ex.Message);
    }

    [Fact]
    public void A_workflow_names_its_assigned_and_completed_states_and_gets_the_defaults_otherwise()
    {
        WriteProject("workflow-roles.yaml", "settings:\n  assigned_state: queued\n  completed_state: done\nstates:\n  queued:\n    exits: [working]\n  done:\n    exits: []\n");
        var loaded = ConfigLoader.Load(Options());
        var roles = loaded.Config.Workflows["roles"].Settings;
        Assert.Equal(("queued", "done"), (roles.AssignedState, roles.CompletedState));
        Assert.Equal(("assigned", "completed"), (loaded.Config.DefaultWorkflow.Settings.AssignedState, loaded.Config.DefaultWorkflow.Settings.CompletedState));
    }

    [Fact]
    public void A_workflow_with_a_wrong_type_fails_naming_the_file_and_key()
    {
        WriteProject("workflow-odd.yaml", "states:\n  working:\n    timed: sometimes\n");
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Load(Options()));
        Assert.Contains("workflow-odd.yaml: states.working.timed: expected true or false", ex.Message);
    }

    [Fact]
    public void A_workflow_merges_over_the_default_so_default_states_survive()
    {
        WriteProject("workflow-review.yaml",
            "description: adds review\nsettings:\n  blocking_states: [pending, working, review]\nstates:\n  working:\n    exits: [review, failed]\n  review:\n    exits: [completed, working]\nphases:\n  audit:\n    prompts:\n      enter: look\n");
        var wf = ConfigLoader.Load(Options()).Config.Workflows["review"];

        Assert.Equal(["pending", "assigned", "working", "completed", "failed", "cancelled", "review"], wf.StateNames);
        Assert.Equal(["review", "failed"], wf.States["working"].Exits);
        Assert.True(wf.IsTimed("working"));
        Assert.Equal(["assigned", "working", "cancelled"], wf.States["pending"].Exits);
        Assert.Equal(["pending", "working", "review"], wf.Settings.BlockingStates);
        Assert.Equal("pending", wf.Settings.InitialState);
        Assert.Contains("audit", wf.Phases);
        Assert.Contains("implement", wf.Phases);
    }

    [Fact]
    public void Workflow_files_merge_across_tiers_user_over_install()
    {
        var install = Path.Combine(_root, "install");
        Directory.CreateDirectory(install);
        File.WriteAllText(Path.Combine(install, "workflow-team.yaml"), "description: shipped\nstates:\n  working:\n    prompts:\n      enter: shipped prompt\n");
        Directory.CreateDirectory(UserDir);
        File.WriteAllText(Path.Combine(UserDir, "workflow-team.yaml"), "description: mine\n");

        var loaded = ConfigLoader.Load(Options() with { InstallDirectories = [install] });
        Assert.Equal("mine", loaded.Config.Workflows["team"].Description);
        Assert.Equal("shipped prompt", loaded.Config.Workflows["team"].States["working"].EnterPrompt);
    }

    [Fact]
    public void The_legacy_dot_task_graph_directory_is_used_with_a_warning()
    {
        var legacy = Path.Combine(ProjectDir, ".task-graph");
        Directory.CreateDirectory(legacy);
        File.WriteAllText(Path.Combine(legacy, "config.yaml"), "server:\n  claim_limit: 9\n");

        var loaded = ConfigLoader.Load(Options());
        Assert.Equal(9, loaded.Config.Server.ClaimLimit);
        Assert.Contains(loaded.Warnings, w => w.Contains(".task-graph/", StringComparison.Ordinal));
    }

    [Fact]
    public void The_shipped_defaults_file_documents_exactly_the_built_in_defaults()
    {
        var loaded = ConfigLoader.Load(Options(cli: new ConfigOverrides { ConfigFile = Path.Combine(TestPaths.ShippedConfig, "config.yaml") }) with
        {
            InstallDirectories = [TestPaths.ShippedConfig],
        });
        var defaults = new TaskGraphConfig();

        Assert.Equal(defaults.Server, loaded.Config.Server);
        Assert.Equal(defaults.AutoAdvance, loaded.Config.AutoAdvance);
        Assert.Equal(defaults.Ids, loaded.Config.Ids);
        Assert.Equal(defaults.Tags.UnknownTag, loaded.Config.Tags.UnknownTag);
        Assert.Equal(defaults.Dependencies.OrderBy(d => d.Key), loaded.Config.Dependencies.OrderBy(d => d.Key));
        Assert.Null(loaded.NatsUrl);
        Assert.False(loaded.FeedbackEnabled);
    }

    [Fact]
    public void The_shipped_workflows_are_valid()
    {
        var loaded = ConfigLoader.Load(Options(user: "server:\n  default_workflow: swarm\n") with { InstallDirectories = [TestPaths.ShippedConfig] });
        Assert.Equal(["git-worktree", "hierarchical", "kanban", "push", "relay", "solo", "sprint", "swarm"], loaded.Config.Workflows.Keys.Order());
        Assert.Equal("swarm", loaded.Config.DefaultWorkflow.Name);
        Assert.Equal("working", loaded.Config.Workflows["solo"].ClaimState);
        Assert.Equal(["gate/tests", "gate/commit"], loaded.Config.Workflows["solo"].Gates["status:working"].Select(g => g.Type));
        Assert.Equal(["allow", "warn"], loaded.Config.Workflows["swarm"].Gates["status:working"].Select(g => g.Enforcement));
        Assert.DoesNotContain(loaded.Warnings, w => w.Contains("not implemented", StringComparison.Ordinal));
    }

    [Fact]
    public void A_gate_with_a_bad_key_or_enforcement_is_a_config_error_naming_it()
    {
        WriteProject("workflow-bad.yaml", "name: bad\ngates:\n  working:\n    - type: x\n  status:done:\n    - type: y\n      enforcement: maybe\n");
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Load(Options()));
        Assert.Contains("gates.working", ex.Message, StringComparison.Ordinal);
        Assert.Contains("gates.status:done[0].enforcement", ex.Message, StringComparison.Ordinal);
    }

    private ConfigLoadOptions Options(string? project = null, string? user = null, Dictionary<string, string>? env = null, ConfigOverrides? cli = null)
    {
        Directory.CreateDirectory(ProjectDir);
        if (project is not null)
        {
            WriteProject("config.yaml", project);
        }

        if (user is not null)
        {
            Directory.CreateDirectory(UserDir);
            File.WriteAllText(Path.Combine(UserDir, "config.yaml"), user);
        }

        return new ConfigLoadOptions
        {
            ProjectDirectory = ProjectDir,
            UserDirectory = UserDir,
            Environment = env ?? [],
            Cli = cli ?? new ConfigOverrides(),
        };
    }

    private void WriteProject(string file, string text)
    {
        var dir = Path.Combine(ProjectDir, "task-graph");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, file), text);
    }
}
