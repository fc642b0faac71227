using TaskGraph.Core.Configuration;
using TaskGraph.Node.Configuration;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.InProcess;

/// <summary>
/// add_overlay and remove_overlay over the shipped overlays (git, troubleshooting): the list persists in order, the
/// answers carry the overlay diff, the refusals name what is wrong, and an active overlay changes the worker's workflow
/// (a state it adds becomes reachable, its prompts are appended, its gates apply); connect(overlays=...) works the same.
/// </summary>
[Trait("Lane", "fast")]
public sealed class OverlayToolTests : InProcessToolTests
{
    protected override TaskGraphConfig Config => ConfigLoader.Load(new ConfigLoadOptions
    {
        ProjectDirectory = TestPaths.TempDir("overlay-project"),
        InstallDirectories = [TestPaths.ShippedConfig],
    }).Config;

    [Fact]
    public async Task Add_appends_in_order_persists_and_answers_the_diff()
    {
        await CallAsync("connect", new { worker_id = "ow" });
        var first = await CallAsync("add_overlay", new { worker_id = "ow", overlay = "troubleshooting" });
        Assert.True(first.GetProperty("success").GetBoolean());
        Assert.Equal(["troubleshooting"], Strings(first, "overlays"));
        var diff = first.GetProperty("overlay_diff");
        Assert.Equal(["diagnosing"], Strings(diff, "states_added"));
        Assert.Equal(["diagnosing"], Strings(diff.GetProperty("exits_added"), "working"));
        Assert.Equal(["status:diagnosing"], Strings(diff, "gates_added"));
        Assert.Contains("enter~working", Strings(diff, "prompts_modified"));

        var second = await CallAsync("add_overlay", new { worker_id = "ow", overlay = "git" });
        Assert.Equal(["troubleshooting", "git"], Strings(second, "overlays"));
        Assert.Equal(["status:working"], Strings(second.GetProperty("overlay_diff"), "gates_added"));

        var listed = (await CallAsync("list_agents", new { })).GetProperty("workers").EnumerateArray().Single(w => String(w, "id") == "ow");
        Assert.Equal(["troubleshooting", "git"], Strings(listed, "overlays"));
    }

    [Fact]
    public async Task Refusals_name_the_overlay_the_worker_or_the_missing_field()
    {
        await CallAsync("connect", new { worker_id = "ow2" });
        Assert.Contains("Available overlays: [git, troubleshooting]", String(await RefusedAsync("add_overlay", new { worker_id = "ow2", overlay = "nope" }, "INVALID_FIELD_VALUE"), "message"), StringComparison.Ordinal);
        await CallAsync("add_overlay", new { worker_id = "ow2", overlay = "git" });
        Assert.Contains("already active", String(await RefusedAsync("add_overlay", new { worker_id = "ow2", overlay = "git" }, "INVALID_FIELD_VALUE"), "message"), StringComparison.Ordinal);
        Assert.Contains("Active overlays: [git]", String(await RefusedAsync("remove_overlay", new { worker_id = "ow2", overlay = "troubleshooting" }, "INVALID_FIELD_VALUE"), "message"), StringComparison.Ordinal);
        await RefusedAsync("add_overlay", new { worker_id = "ghost", overlay = "git" }, "AGENT_NOT_FOUND");
        await RefusedAsync("remove_overlay", new { worker_id = "ghost", overlay = "git" }, "AGENT_NOT_FOUND");
        Assert.Equal("overlay", String(await RefusedAsync("add_overlay", new { worker_id = "ow2" }, "MISSING_REQUIRED_FIELD"), "field"));
        Assert.Equal("worker_id", String(await RefusedAsync("remove_overlay", new { overlay = "git" }, "MISSING_REQUIRED_FIELD"), "field"));
    }

    [Fact]
    public async Task Remove_keeps_the_others_answers_what_it_had_added_and_the_overlay_can_come_back()
    {
        await CallAsync("connect", new { worker_id = "ow3", overlays = new[] { "git", "troubleshooting" } });
        var removed = await CallAsync("remove_overlay", new { worker_id = "ow3", overlay = "troubleshooting" });
        Assert.Equal(["git"], Strings(removed, "overlays"));
        Assert.Equal(["diagnosing"], Strings(removed.GetProperty("overlay_diff"), "states_added"));
        Assert.Equal(["git", "troubleshooting"], Strings(await CallAsync("add_overlay", new { worker_id = "ow3", overlay = "troubleshooting" }), "overlays"));
    }

    [Fact]
    public async Task An_active_overlay_adds_its_state_appends_its_prompts_and_applies_its_gates()
    {
        await CallAsync("connect", new { worker_id = "ow4" });
        await CallAsync("create", new { id = "o-a", title = "flaky test" });
        await CallAsync("claim", new { worker_id = "ow4", task = "o-a" });
        await RefusedAsync("update", new { worker_id = "ow4", task = "o-a", status = "diagnosing" }, "INVALID_STATE");

        await CallAsync("add_overlay", new { worker_id = "ow4", overlay = "troubleshooting" });
        var diagnosing = await CallAsync("update", new { worker_id = "ow4", task = "o-a", status = "diagnosing" });
        Assert.Equal("diagnosing", String(diagnosing, "status"));
        var enter = diagnosing.GetProperty("prompts").EnumerateArray().Single(p => String(p, "source") == "workflow:enter~diagnosing");
        Assert.Contains("Diagnose before you fix", String(enter, "text"), StringComparison.Ordinal);

        // Leaving diagnosing asks for the diagnosis (warn): refused without force, passes once attached.
        await RefusedAsync("update", new { worker_id = "ow4", task = "o-a", status = "working" }, "GATES_NOT_SATISFIED");
        await CallAsync("attach", new { task = "o-a", type = "gate/diagnosis", content = "race in the fixture setup" });
        Assert.Equal("working", String(await CallAsync("update", new { worker_id = "ow4", task = "o-a", status = "working" }), "status"));
    }
}
