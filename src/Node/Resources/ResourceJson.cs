using System.Text.Json.Nodes;
using TaskGraph.Node.Mcp.Rendering;

namespace TaskGraph.Node.Resources;

/// <summary>What the <c>config://</c> and <c>docs://</c> resources share: their JSON (compact, nulls left out).</summary>
internal static class ResourceJson
{
    /// <summary>The JSON text of a resource, without null properties.</summary>
    public static string Serialize(JsonNode node) => ToolResults.JsonText(node);

    /// <summary>Strings as a JSON array.</summary>
    public static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)v)]);

    /// <summary>A map as a JSON object, in the map's order.</summary>
    public static JsonObject Map<T>(IEnumerable<KeyValuePair<string, T>> map, Func<T, JsonNode?> value) => Map(map, (_, v) => value(v));

    /// <summary>A map as a JSON object, in the map's order, each value made from its key and value.</summary>
    public static JsonObject Map<T>(IEnumerable<KeyValuePair<string, T>> map, Func<string, T, JsonNode?> value)
    {
        var o = new JsonObject();
        foreach (var (key, item) in map)
        {
            o[key] = value(key, item);
        }

        return o;
    }
}
