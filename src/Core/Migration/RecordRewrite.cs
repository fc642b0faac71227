using System.Text.Json;
using System.Text.Json.Nodes;

namespace TaskGraph.Core.Migration;

/// <summary>
/// The few fields of a record that name something outside it (a task id, a revision, a log position, a content key or a
/// blob), rewritten when a record lands in another store; every other byte of it is kept.
/// </summary>
public static class RecordRewrite
{
    /// <summary>A <c>graph.deps</c> change (format 2) made to apply to <paramref name="baseRevision"/> of the target; a snapshot (format 1) as it is.</summary>
    public static ReadOnlyMemory<byte> Rebase(ReadOnlyMemory<byte> value, ulong baseRevision) =>
        Edit(value, o =>
        {
            if (o["format"] is JsonValue format && format.TryGetValue<int>(out var f) && f >= 2)
            {
                o["base"] = baseRevision;
                return true;
            }

            return false;
        });

    /// <summary>A worker record whose <c>mark_cursor</c> (a log position) is mapped by <paramref name="map"/>.</summary>
    public static ReadOnlyMemory<byte> WorkerCursor(ReadOnlyMemory<byte> value, Func<ulong, ulong> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return Edit(value, o =>
        {
            if (o["mark_cursor"] is JsonValue cursor && cursor.TryGetValue<ulong>(out var c) && c > 0)
            {
                o["mark_cursor"] = map(c);
                return true;
            }

            return false;
        });
    }

    /// <summary>
    /// A task record under a new id: its <c>id</c>, its attachments' content keys and blob names (and the blob's
    /// <c>file_path</c>) mapped; a rename's old id dropped (it named a task of the source).
    /// </summary>
    public static ReadOnlyMemory<byte> Task(ReadOnlyMemory<byte> value, string id, Func<string, string> contentKey, Func<string, string> blob) =>
        Edit(value, o =>
        {
            o["id"] = id;
            if (o["change"] is JsonObject change)
            {
                change.Remove("renamed_from");
            }

            if (o["attachments"] is JsonArray attachments)
            {
                foreach (var a in attachments.OfType<JsonObject>())
                {
                    if (a["content_key"]?.GetValue<string>() is { } key)
                    {
                        a["content_key"] = contentKey(key);
                    }

                    if (a["blob_name"]?.GetValue<string>() is { } name)
                    {
                        var renamed = blob(name);
                        a["blob_name"] = renamed;
                        if (a["file_path"]?.GetValue<string>() is { } path && path.EndsWith(name, StringComparison.Ordinal))
                        {
                            a["file_path"] = path[..^name.Length] + renamed;
                        }
                    }
                }
            }

            return true;
        });

    /// <summary>A record with a <c>task_id</c> (attachment content, a mark) pointing at the mapped task.</summary>
    public static ReadOnlyMemory<byte> TaskId(ReadOnlyMemory<byte> value, Func<string, string> map) =>
        Edit(value, o =>
        {
            if (o["task_id"]?.GetValue<string>() is { } id && map(id) is var mapped && mapped != id)
            {
                o["task_id"] = mapped;
                return true;
            }

            return false;
        });

    /// <summary>A worker record with its claims' task ids mapped and its mark cursor reset (positions of another store).</summary>
    public static ReadOnlyMemory<byte> Worker(ReadOnlyMemory<byte> value, Func<string, string> map) =>
        Edit(value, o =>
        {
            if (o["claims"] is JsonArray claims)
            {
                foreach (var claim in claims.OfType<JsonObject>())
                {
                    if (claim["task_id"]?.GetValue<string>() is { } id)
                    {
                        claim["task_id"] = map(id);
                    }
                }
            }

            o.Remove("mark_cursor");
            return true;
        });

    private static ReadOnlyMemory<byte> Edit(ReadOnlyMemory<byte> value, Func<JsonObject, bool> edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        if (JsonNode.Parse(value.Span) is not JsonObject o)
        {
            throw new SnapshotFormatException("a record is not a JSON object");
        }

        return edit(o) ? JsonSerializer.SerializeToUtf8Bytes(o) : value;
    }
}
