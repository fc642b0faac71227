using System.Text.Json.Nodes;
using TaskGraph.Core.Marks;

namespace TaskGraph.Node.Mcp.Rendering;

/// <summary>Mark answers: the warnings about files another worker marks.</summary>
internal static class MarkJson
{
    /// <summary><c>[{file, marked_by, reason?, task?}]</c>.</summary>
    public static JsonArray Warnings(IEnumerable<MarkWarning> warnings) =>
        new([.. warnings.Select(w => (JsonNode?)new JsonObject
        {
            ["file"] = w.File,
            ["marked_by"] = w.MarkedBy,
            ["reason"] = w.Reason,
            ["task"] = w.TaskId,
        })]);
}
