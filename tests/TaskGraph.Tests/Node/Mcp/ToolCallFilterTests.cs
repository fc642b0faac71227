using System.Text.Json;
using ModelContextProtocol.Protocol;
using TaskGraph.Core.Configuration;
using TaskGraph.Node.Configuration;

namespace TaskGraph.Tests.Node.Mcp;

public sealed class ToolCallFilterTests
{
    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    [Theory]
    [InlineData("""{}""", "MISSING_REQUIRED_FIELD", "task")]
    [InlineData("""{"task": null}""", "MISSING_REQUIRED_FIELD", "task")]
    [InlineData("""{"task": {}}""", "INVALID_FIELD_VALUE", "task")]
    [InlineData("""{"task": "t", "limit": {}}""", "INVALID_FIELD_VALUE", "limit")]
    [InlineData("""{"task": "t", "limit": "lots"}""", "INVALID_FIELD_VALUE", "limit")]
    [InlineData("""{"task": "t", "flag": "yes"}""", "INVALID_FIELD_VALUE", "flag")]
    [InlineData("""{"task": "t", "tags": 5}""", "INVALID_FIELD_VALUE", "tags")]
    [InlineData("""{"task": "t", "tags": [1]}""", "INVALID_FIELD_VALUE", "tags")]
    public async Task Binding_failures_become_typed_errors_naming_the_field(string args, string code, string field)
    {
        await using var node = await InMemoryNode.StartAsync(LoadedConfig.Of(new TaskGraphConfig()), Timeout);
        var error = Error(await node.CallRawAsync("probe_typed", JsonDocument.Parse(args).RootElement, Timeout));
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(field, error.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Valid_typed_arguments_bind_including_numeric_strings_and_null_optionals()
    {
        await using var node = await InMemoryNode.StartAsync(LoadedConfig.Of(new TaskGraphConfig()), Timeout);
        var result = await node.CallRawAsync("probe_typed", new { task = "t", limit = "7", flag = (bool?)null, extra = "ignored" }, Timeout);
        Assert.True(result.IsError is not true, ((TextContentBlock)result.Content[0]).Text);
        var body = Body(result);
        Assert.Equal(7, body.GetProperty("limit").GetInt32());
        Assert.False(body.TryGetProperty("tags", out _));
    }

    [Fact]
    public async Task Lenient_arguments_go_through_args()
    {
        await using var node = await InMemoryNode.StartAsync(LoadedConfig.Of(new TaskGraphConfig()), Timeout);
        var body = Body(await node.CallRawAsync("probe_lenient", new { priority = "99", task = new[] { "a", "b" }, agent = "Old" }, Timeout));
        Assert.Equal(10, body.GetProperty("priority").GetInt32());
        Assert.Equal(2, body.GetProperty("tasks").GetArrayLength());
        Assert.Equal("Old", body.GetProperty("worker").GetString());
        Assert.False(body.TryGetProperty("nothing", out _));

        var error = Error(await node.CallRawAsync("probe_lenient", new { priority = new { } }, Timeout));
        Assert.Equal(("INVALID_FIELD_VALUE", "priority"), (error.GetProperty("code").GetString(), error.GetProperty("field").GetString()));
        error = Error(await node.CallRawAsync("probe_lenient", new { priority = 3 }, Timeout));
        Assert.Equal(("MISSING_REQUIRED_FIELD", "worker_id"), (error.GetProperty("code").GetString(), error.GetProperty("field").GetString()));
    }

    [Fact]
    public async Task Domain_errors_carry_every_envelope_field()
    {
        await using var node = await InMemoryNode.StartAsync(LoadedConfig.Of(new TaskGraphConfig()), Timeout);
        var error = Error(await node.CallRawAsync("probe_throw", new { kind = "domain" }, Timeout));
        Assert.Equal("DEPENDENCY_NOT_SATISFIED", error.GetProperty("code").GetString());
        Assert.Equal("Task blocked by unsatisfied dependencies: a, b", error.GetProperty("message").GetString());
        Assert.Equal("task", error.GetProperty("field").GetString());
        Assert.Equal(["a", "b"], error.GetProperty("blocked_by").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("Finish a and b first.", error.GetProperty("suggestion").GetString());
        Assert.Equal("pending", error.GetProperty("details").GetProperty("state").GetString());
    }

    [Theory]
    [InlineData("conflict", "CONFLICT")]
    [InlineData("store", "STORE_UNAVAILABLE")]
    [InlineData("other", "INTERNAL_ERROR")]
    public async Task Infrastructure_failures_map_to_codes_without_leaking_paths(string kind, string code)
    {
        await using var node = await InMemoryNode.StartAsync(LoadedConfig.Of(new TaskGraphConfig()), Timeout);
        var result = await node.CallRawAsync("probe_throw", new { kind }, Timeout);
        var error = Error(result);
        Assert.Equal(code, error.GetProperty("code").GetString());
        var text = ((TextContentBlock)result.Content[0]).Text;
        Assert.DoesNotContain("/var/secret", text);
        Assert.DoesNotContain("/home/someone", text);
        Assert.DoesNotContain("Exception", text);
        Assert.DoesNotContain("   at ", text);
    }

    [Fact]
    public async Task An_unknown_tool_is_an_unknown_tool_envelope()
    {
        await using var node = await InMemoryNode.StartAsync(LoadedConfig.Of(new TaskGraphConfig()), Timeout);
        var error = Error(await node.CallRawAsync("no_such_tool", null, Timeout));
        Assert.Equal("UNKNOWN_TOOL", error.GetProperty("code").GetString());
        Assert.Equal("Unknown tool: no_such_tool", error.GetProperty("message").GetString());
    }

    private static JsonElement Error(CallToolResult result)
    {
        Assert.True(result.IsError, "expected an error result");
        return Body(result);
    }

    private static JsonElement Body(CallToolResult result)
    {
        var block = Assert.IsType<TextContentBlock>(Assert.Single(result.Content));
        return JsonDocument.Parse(block.Text).RootElement.Clone();
    }
}
