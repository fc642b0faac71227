using System.Text.Json;
using TaskGraph.Tests.Node.Hosting;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.EndToEnd;

/// <summary>
/// <c>claim</c> without <c>task</c> against the built executable over stdio with the real MCP client: it claims the best
/// ready task and answers exactly as a claim by id does; filters narrow it; drained, it is a NO_READY_TASK error envelope
/// with counts. One node of its own, because the ready-set assertions need a graph nobody else writes to.
/// </summary>
public sealed class ClaimNextOverStdioTests
{
    [Fact]
    public async Task Claim_without_a_task_claims_the_best_ready_task_and_answers_no_ready_task_when_drained()
    {
        var ct = Timeout();
        await using var node = await NodeProcess.StartAsync(ct);
        await node.CallAsync("connect", new { worker_id = "alice", tags = new[] { "rust" } }, ct);
        await node.CallAsync("connect", new { worker_id = "bob" }, ct);
        await node.CallAsync("create", new { id = "plain", title = "Write the changelog", priority = 5 }, ct);
        await node.CallAsync("create", new { id = "rusty", title = "Port the parser", priority = 8, needed_tags = new[] { "rust" } }, ct);
        await node.CallAsync("create", new { id = "docs", title = "Document the API", priority = 1, tags = new[] { "docs" }, phase = "review" }, ct);
        await node.CallAsync("create", new { id = "after", title = "Release", priority = 10 }, ct);
        await node.CallAsync("link", new { from = "plain", to = "after", type = "blocks" }, ct);

        // The schema: task is optional, the filters are described.
        var claimTool = (await node.Client.ListToolsAsync(cancellationToken: ct)).Single(t => t.Name == "claim");
        var schema = claimTool.JsonSchema;
        var required = schema.TryGetProperty("required", out var r) ? r.EnumerateArray().Select(e => e.GetString()).ToList() : [];
        Assert.DoesNotContain("task", required);
        foreach (var parameter in new[] { "tags_any", "phase", "parent" })
        {
            Assert.False(string.IsNullOrWhiteSpace(schema.GetProperty("properties").GetProperty(parameter).GetProperty("description").GetString()));
        }

        // bob lacks rust: he gets the plain task; alice gets the rust one although it was created later (priority 8 > 5).
        var bobs = await node.CallAsync("claim", new { worker_id = "bob" }, ct);
        Assert.Equal("plain", bobs.GetProperty("task").GetProperty("id").GetString());
        var alices = await node.CallAsync("claim", new { agent = "alice" }, ct);
        Assert.True(alices.GetProperty("success").GetBoolean());
        var task = alices.GetProperty("task");
        Assert.Equal(("rusty", "Port the parser", "working", "alice"), (String(task, "id"), String(task, "title"), String(task, "status"), String(task, "worker_id")));
        Assert.True(task.GetProperty("claimed_at").GetInt64() > 0);

        // Same answer shape as a claim by id.
        await node.CallAsync("create", new { id = "by-id", title = "Claimed by id", priority = 0 }, ct);
        var byId = await node.CallAsync("claim", new { worker_id = "bob", task = "by-id" }, ct);
        Assert.Equal(Keys(byId), Keys(alices));
        Assert.Equal(Keys(byId.GetProperty("task")), Keys(task));

        // Filters: tags_any as a plain string, phase.
        var none = await node.CallExpectErrorEnvelopeAsync("claim", new { worker_id = "alice", tags_any = "api" }, ct);
        Assert.Equal("NO_READY_TASK", String(none, "code"));
        Assert.Equal("docs", (await node.CallAsync("claim", new { worker_id = "alice", tags_any = "docs", phase = "review" }, ct)).GetProperty("task").GetProperty("id").GetString());

        // Drained for alice: "after" waits on bob's task, and bob holds two.
        var drained = await node.CallExpectErrorEnvelopeAsync("claim", new { worker_id = "alice" }, ct);
        Assert.Equal("NO_READY_TASK", String(drained, "code"));
        var details = drained.GetProperty("details");
        Assert.Equal((1, 2, 0), (details.GetProperty("blocked").GetInt32(), details.GetProperty("claimed").GetInt32(), details.GetProperty("tag_mismatch").GetInt32()));
        Assert.False(string.IsNullOrWhiteSpace(String(drained, "suggestion")));

        // Completing the blocker makes it claimable; force needs a task.
        await node.CallAsync("update", new { worker_id = "bob", task = "plain", status = "completed" }, ct);
        Assert.Equal("after", (await node.CallAsync("claim", new { worker_id = "alice" }, ct)).GetProperty("task").GetProperty("id").GetString());
        var (code, _, field) = await node.CallExpectErrorAsync("claim", new { worker_id = "bob", force = true }, ct);
        Assert.Equal(("INVALID_FIELD_VALUE", "force"), (code, field));
    }

    private static List<string> Keys(JsonElement o) => [.. o.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];
}
