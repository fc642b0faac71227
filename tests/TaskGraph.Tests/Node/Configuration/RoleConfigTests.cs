using TaskGraph.Node.Configuration;

namespace TaskGraph.Tests.Node.Configuration;

/// <summary>
/// Roles and role prompts read from workflow and overlay files: the shipped workflows' roles, a project workflow's role
/// replacing a base one key by key, overlays adding roles (first definition wins) and appending role prompts, role tags
/// registered as known tags, and a bad max_claims refused with its key.
/// </summary>
[Trait("Lane", "fast")]
public sealed class RoleConfigTests
{
    [Fact]
    public void The_shipped_workflows_define_their_roles_and_role_tags_become_known()
    {
        var config = Load(TestPaths.TempDir("roles-empty"));
        var relay = config.Config.Workflows["relay"];
        Assert.Equal(["designer", "implementer", "reviewer", "tester"], relay.Roles.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("implementer", relay.RoleFor(["code"])!.Name);
        Assert.Contains("claiming", relay.PromptsOf(relay.Roles["designer"]).Keys);
        var swarm = config.Config.Workflows["swarm"];
        Assert.Equal(2, swarm.Roles["swarm_agent"].MaxClaims);
        Assert.True(config.Config.Tags.IsKnown("reviewer"));
        Assert.Contains("coordinator", config.Config.Tags.Known);
    }

    [Fact]
    public void A_project_workflow_and_an_overlay_lay_roles_and_prompts_over_each_other()
    {
        var project = TestPaths.TempDir("roles-project");
        var dir = Directory.CreateDirectory(Path.Combine(project, "task-graph")).FullName;
        File.WriteAllText(Path.Combine(dir, "workflow-team.yaml"), """
            name: team
            roles:
              builder:
                tags: [build]
                max_claims: 3
            role_prompts:
              builder:
                claiming: "Build it."
            """);
        File.WriteAllText(Path.Combine(dir, "overlay-extra.yaml"), """
            roles:
              builder:
                tags: [other]
              auditor:
                tags: [audit]
            role_prompts:
              builder:
                claiming: "And audit it."
            """);
        var config = Load(project).Config;
        var team = config.WorkflowFor("team", []);
        Assert.Equal(3, team.Roles["builder"].MaxClaims);
        var overlaid = config.WorkflowFor("team", ["extra"]);
        Assert.Equal(["build"], overlaid.Roles["builder"].Tags);
        Assert.Equal("auditor", overlaid.RoleFor(["audit"])!.Name);
        Assert.Equal("Build it.\n\n---\n\nAnd audit it.", overlaid.PromptsOf(overlaid.Roles["builder"])["claiming"]);
        Assert.True(config.Tags.IsKnown("audit"));
    }

    [Fact]
    public void A_role_with_a_claim_limit_below_one_is_refused_with_its_key()
    {
        var project = TestPaths.TempDir("roles-bad");
        var dir = Directory.CreateDirectory(Path.Combine(project, "task-graph")).FullName;
        File.WriteAllText(Path.Combine(dir, "workflow-bad.yaml"), "roles:\n  r:\n    tags: [x]\n    max_claims: 0\n");
        var ex = Assert.Throws<ConfigException>(() => Load(project));
        Assert.Contains("roles.r.max_claims", ex.Message);
    }

    private static LoadedConfig Load(string project) =>
        ConfigLoader.Load(new ConfigLoadOptions
        {
            ProjectDirectory = project,
            UserDirectory = TestPaths.TempDir("roles-user"),
            InstallDirectories = [TestPaths.ShippedConfig],
        });
}
