using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;

namespace TaskGraph.Node.Mcp.Rendering;

/// <summary>Builds successful tool answers: one text item holding compact JSON without null properties (and the same JSON as structured content).</summary>
public static class ToolResults
{
    /// <summary>
    /// Serializes <paramref name="value"/> with <see cref="ToolJson.Options"/> into a one-item result. Null properties are
    /// left out, also inside <see cref="JsonNode"/> trees (which the serializer's ignore condition does not reach).
    /// </summary>
    /// <remarks>
    /// An object answer also travels as <c>structuredContent</c> (the same JSON, parsed), for clients that read structured
    /// results; the text stays exactly as it was, and no tool declares an <c>outputSchema</c>, so <c>tools/list</c> costs
    /// nothing more (see the README's context-cost section).
    /// </remarks>
    public static CallToolResult Json<T>(T value)
    {
        var text = value is JsonNode node ? WithoutNulls(node).ToJsonString(ToolJson.Options) : JsonSerializer.Serialize(value, ToolJson.Options);
        var result = Text(text);
        using var parsed = JsonDocument.Parse(text);
        if (parsed.RootElement.ValueKind == JsonValueKind.Object)
        {
            result.StructuredContent = parsed.RootElement.Clone();
        }

        return result;
    }

    /// <summary>A JSON tree as compact text without null properties (the shape of answers and of the config and docs resources).</summary>
    public static string JsonText(JsonNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return WithoutNulls(node).ToJsonString(ToolJson.Options);
    }

    /// <summary>The answer's JSON object, when it is one text item holding one (markdown answers give null).</summary>
    public static JsonObject? Body(CallToolResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Content is not [TextContentBlock { Text: { Length: > 0 } text }] || text[0] != '{')
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A one-item result with raw text (markdown or csv modes).</summary>
    public static CallToolResult Text(string text) => new() { Content = [new TextContentBlock { Text = text }] };

    private static JsonNode WithoutNulls(JsonNode node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var name in o.Where(p => p.Value is null).Select(p => p.Key).ToList())
                {
                    o.Remove(name);
                }

                foreach (var (_, child) in o)
                {
                    WithoutNulls(child!);
                }

                break;
            case JsonArray a:
                foreach (var child in a.Where(c => c is not null))
                {
                    WithoutNulls(child!);
                }

                break;
        }

        return node;
    }
}
