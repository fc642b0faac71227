using System.Text.Json.Nodes;
using TaskGraph.Node.Mcp;

namespace TaskGraph.Tests.Node.Mcp;

[Trait("Lane", "fast")]
public sealed class CallParamsFilterTests
{
    [Theory]
    [InlineData("""{"name":"get","arguments":{"task":"a"}}""", null)]
    [InlineData("""{"name":"get"}""", null)]
    [InlineData("""{"name":"get","arguments":null}""", null)]
    [InlineData("""{"name":"get","arguments":[1]}""", "arguments must be an object")]
    [InlineData("""{"name":"get","arguments":"x"}""", "arguments must be an object")]
    [InlineData("""{"arguments":{}}""", "name")]
    [InlineData("""{"name":5,"arguments":{}}""", "name")]
    [InlineData("""{"name":"","arguments":{}}""", "name")]
    [InlineData("""["get"]""", "must be an object")]
    [InlineData("5", "must be an object")]
    public void Malformed_tools_call_params_are_named(string json, string? problem)
    {
        var found = CallParamsFilter.Problem(JsonNode.Parse(json));
        if (problem is null)
        {
            Assert.Null(found);
        }
        else
        {
            Assert.Contains(problem, found, StringComparison.Ordinal);
        }
    }
}
