using System.Text.Json;
using ModelContextProtocol.Protocol;

namespace TaskGraph.Node.Mcp;

/// <summary>Builds successful tool answers: one text item holding pretty JSON.</summary>
public static class ToolResults
{
    /// <summary>Serializes <paramref name="value"/> with <see cref="ToolJson.Options"/> into a one-item result.</summary>
    public static CallToolResult Json<T>(T value) => Text(JsonSerializer.Serialize(value, ToolJson.Options));

    /// <summary>A one-item result with raw text (markdown or csv modes).</summary>
    public static CallToolResult Text(string text) => new() { Content = [new TextContentBlock { Text = text }] };
}
