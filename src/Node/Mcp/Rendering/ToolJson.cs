using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TaskGraph.Node.Mcp.Rendering;

/// <summary>The JSON shape of every tool answer: snake_case properties, nulls omitted, compact (no indentation), readable unicode.</summary>
public static class ToolJson
{
    /// <summary>Serializer options for tool results and error envelopes.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
