using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace TaskGraph.Tests.Node;

/// <summary>
/// Tool calls as the node tests make them, over any MCP client (a node process over stdio, or an in-process node over
/// pipes): arguments from an anonymous object or raw JSON, and the answer's one text item parsed as JSON.
/// </summary>
internal static class ToolCalls
{
    /// <summary>Calls a tool that must succeed; returns its JSON body.</summary>
    public static async Task<JsonElement> CallAsync(this McpClient client, string tool, object? args, CancellationToken cancellationToken)
    {
        var (isError, body) = await client.CallRawAsync(tool, args, cancellationToken);
        return isError ? throw new InvalidOperationException($"{tool} failed: {body.GetRawText()}") : body;
    }

    /// <summary>Calls a tool; returns whether it failed and its JSON body (the result or the error envelope).</summary>
    public static async Task<(bool IsError, JsonElement Body)> CallRawAsync(this McpClient client, string tool, object? args, CancellationToken cancellationToken)
    {
        var result = await client.CallToolAsync(new CallToolRequestParams { Name = tool, Arguments = ToJsonArguments(args) }, cancellationToken);
        var text = Text(result);
        return (result.IsError is true, JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>Calls a tool that must fail; returns the whole error envelope (code, message, field, details, blocked_by, suggestion).</summary>
    public static async Task<JsonElement> CallExpectErrorEnvelopeAsync(this McpClient client, string tool, object? args, CancellationToken cancellationToken)
    {
        var (isError, body) = await client.CallRawAsync(tool, args, cancellationToken);
        return isError ? body : throw new InvalidOperationException($"{tool} was expected to fail but answered: {body.GetRawText()}");
    }

    /// <summary>Calls a tool that must fail; returns the envelope's code, message and field.</summary>
    public static async Task<(string Code, string Message, string? Field)> CallExpectErrorAsync(this McpClient client, string tool, object? args, CancellationToken cancellationToken)
    {
        var body = await client.CallExpectErrorEnvelopeAsync(tool, args, cancellationToken);
        return (body.GetProperty("code").GetString()!, body.GetProperty("message").GetString()!,
            body.TryGetProperty("field", out var f) ? f.GetString() : null);
    }

    /// <summary>An anonymous object (or a <see cref="JsonElement"/> object, or a JSON string) as tool arguments.</summary>
    public static Dictionary<string, object?> ToArguments(object? args) =>
        ToJsonArguments(args).ToDictionary(p => p.Key, p => (object?)p.Value);

    /// <summary>The one text item of a tool result.</summary>
    public static string Text(CallToolResult result) =>
        Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;

    private static Dictionary<string, JsonElement> ToJsonArguments(object? args)
    {
        var element = args switch
        {
            null => JsonDocument.Parse("{}").RootElement,
            JsonElement e => e,
            string json => JsonDocument.Parse(json).RootElement,
            _ => JsonSerializer.SerializeToElement(args),
        };
        return element.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
    }
}
