using System.Text.Json.Nodes;
using TaskGraph.Core.Records;

namespace TaskGraph.Node.Mcp.Rendering;

/// <summary>Attachment metadata as the tools answer it (catalogue names, defaults omitted).</summary>
public static class AttachmentJson
{
    /// <summary>One attachment's metadata.</summary>
    public static JsonObject Meta(string taskId, AttachmentMeta meta)
    {
        ArgumentNullException.ThrowIfNull(meta);
        var o = new JsonObject
        {
            ["task_id"] = taskId,
            ["type"] = meta.Type,
            ["sequence"] = meta.Sequence,
        };
        if (meta.Name is not null)
        {
            o["name"] = meta.Name;
        }

        o["mime_type"] = meta.MimeType;
        o["created_at"] = meta.CreatedAt;
        if (meta.FilePath is not null)
        {
            o["file_path"] = meta.FilePath;
        }

        if (meta.BlobName is not null)
        {
            o["blob"] = meta.BlobName;
            o["size"] = meta.Size;
        }

        return o;
    }

    /// <summary>What an attach or an inline attachment added: <c>{type, sequence, name?, mime_type}</c>.</summary>
    public static JsonObject Added(AttachmentMeta meta)
    {
        ArgumentNullException.ThrowIfNull(meta);
        var o = new JsonObject { ["type"] = meta.Type, ["sequence"] = meta.Sequence };
        if (meta.Name is not null)
        {
            o["name"] = meta.Name;
        }

        o["mime_type"] = meta.MimeType;
        return o;
    }

    /// <summary>The task's attachments for <c>get</c>: their metadata and the counts by MIME type; nothing when it has none.</summary>
    public static void AddTo(JsonObject o, TaskRecord task)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(task);
        if (task.Attachments is not { Count: > 0 } attachments)
        {
            return;
        }

        o["attachments"] = new JsonArray([.. attachments.Select(a => (JsonNode)Meta(task.Id, a))]);
        var counts = new JsonObject();
        foreach (var group in attachments.GroupBy(a => a.MimeType).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            counts[group.Key] = group.Count();
        }

        o["attachment_counts"] = counts;
    }
}
