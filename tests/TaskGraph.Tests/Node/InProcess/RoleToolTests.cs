using TaskGraph.Core.Configuration;
using TaskGraph.Core.Workflows;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.InProcess;

/// <summary>
/// Roles and role prompts: a worker whose tags overlap a role's gets it (first by name) in connect with all its prompts,
/// its claim limit is capped by the role, its claims carry the claiming and reporting prompts, its completions the
/// completing prompt, {{agent_role}} renders, and role tags count as known tags.
/// </summary>
[Trait("Lane", "fast")]
public sealed class RoleToolTests : InProcessToolTests
{
    protected override TaskGraphConfig Config => new()
    {
        Tags = new TagSettings { UnknownTag = "warn", Definitions = new Dictionary<string, string?> { ["backend"] = "area" }, RoleTags = new HashSet<string> { "lead", "coder" } },
        DefaultWorkflow = new WorkflowDefinition
        {
            States = new Dictionary<string, StateDefinition>(WorkflowDefinition.DefaultStates())
            {
                ["working"] = new() { Exits = ["completed", "failed", "pending"], Timed = true, EnterPrompt = "Role: {{agent_role}}" },
            },
            Roles = new Dictionary<string, RoleDefinition>
            {
                ["zeta"] = new() { Name = "zeta", Tags = ["coder"], Description = "second by name" },
                ["coder"] = new() { Name = "coder", Tags = ["coder"], MaxClaims = 1, CanAssign = false, Description = "writes code" },
                ["lead"] = new() { Name = "lead", Tags = ["lead"], CanAssign = true },
            },
            RolePrompts = new Dictionary<string, IReadOnlyDictionary<string, string>>
            {
                ["coder"] = new Dictionary<string, string> { ["claiming"] = "Mark {{task_id}}'s files.", ["reporting"] = "Heartbeat.", ["completing"] = "Attach the diff.", ["style"] = "Small commits." },
            },
        },
    };

    private static List<string> Sources(System.Text.Json.JsonElement answer) =>
        answer.TryGetProperty("prompts", out var p) ? [.. p.EnumerateArray().Select(e => String(e, "source")!)] : [];

    [Fact]
    public async Task Connect_names_the_first_matching_role_by_name_with_all_its_prompts()
    {
        var connected = await CallAsync("connect", new { worker_id = "rc1", tags = new[] { "coder" } });
        var role = connected.GetProperty("role");
        Assert.Equal("coder", String(role, "role"));
        Assert.Equal("writes code", String(role, "description"));
        Assert.Equal(1, role.GetProperty("max_claims").GetInt32());
        Assert.Equal(1, connected.GetProperty("max_claims").GetInt32());
        var prompts = connected.GetProperty("role_prompts");
        Assert.Equal(["claiming", "completing", "reporting", "style"], prompts.EnumerateObject().Select(p => p.Name));

        var lead = await CallAsync("connect", new { worker_id = "rc2", tags = new[] { "lead" } });
        Assert.Equal("lead", String(lead.GetProperty("role"), "role"));
        Assert.False(lead.TryGetProperty("role_prompts", out _));

        var none = await CallAsync("connect", new { worker_id = "rc3", tags = new[] { "backend" } });
        Assert.False(none.TryGetProperty("role", out _));
        Assert.Contains("coder", connected.GetProperty("config").GetProperty("known_tags").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task Role_tags_are_known_tags_and_other_unknown_tags_still_warn()
    {
        var connected = await CallAsync("connect", new { worker_id = "rk1", tags = new[] { "lead", "backend" } });
        Assert.False(connected.TryGetProperty("tag_warnings", out _));
        var odd = await CallAsync("connect", new { worker_id = "rk2", tags = new[] { "mystery" } });
        Assert.Contains("mystery", odd.GetProperty("tag_warnings")[0].GetString());
    }

    [Fact]
    public async Task Claims_carry_claiming_and_reporting_and_completions_carry_completing()
    {
        await CallAsync("connect", new { worker_id = "rp1", tags = new[] { "coder" } });
        await CallAsync("create", new { id = "rp-a", title = "a" });
        var claim = await CallAsync("claim", new { worker_id = "rp1", task = "rp-a" });
        Assert.Equal(["workflow:enter~working", "role:coder.claiming", "role:coder.reporting"], Sources(claim));
        var texts = claim.GetProperty("prompts").EnumerateArray().Select(p => String(p, "text")).ToList();
        Assert.Equal("Role: `coder`", texts[0]);
        Assert.Equal("Mark rp-a's files.", texts[1]);

        var done = await CallAsync("update", new { worker_id = "rp1", task = "rp-a", status = "completed" });
        Assert.Equal(["role:coder.completing"], Sources(done));
        Assert.Empty(Sources(await CallAsync("update", new { worker_id = "rp1", task = "rp-a", title = "renamed" })));

        await CallAsync("create", new { id = "rp-b", title = "b" });
        Assert.Empty(Sources(await CallAsync("claim", new { worker_id = "rp1", task = "rp-b", prompts = "none" })));
    }

    [Fact]
    public async Task The_roles_claim_limit_caps_the_worker()
    {
        await CallAsync("connect", new { worker_id = "rl1", tags = new[] { "coder" } });
        await CallAsync("create", new { id = "rl-a", title = "a" });
        await CallAsync("create", new { id = "rl-b", title = "b" });
        await CallAsync("claim", new { worker_id = "rl1", task = "rl-a" });
        await RefusedAsync("claim", new { worker_id = "rl1", task = "rl-b" }, "CLAIM_LIMIT_REACHED");
    }
}
