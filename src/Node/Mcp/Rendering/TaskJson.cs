using System.Text.Json.Nodes;
using TaskGraph.Core.Records;

namespace TaskGraph.Node.Mcp.Rendering;

/// <summary>The compact task JSON of the catalogue: defaults omitted (priority 5, empty lists, nulls, zero cost and time).</summary>
public static class TaskJson
{
    /// <summary>A task as a JSON object.</summary>
    public static JsonObject Task(TaskRecord task)
    {
        var o = new JsonObject
        {
            ["id"] = task.Id,
            ["title"] = task.Title,
        };
        Add(o, "description", task.Description);
        o["status"] = task.Status;
        Add(o, "phase", task.Phase);
        if (task.Priority != 5)
        {
            o["priority"] = task.Priority;
        }

        Add(o, "worker_id", task.Owner);
        Add(o, "claimed_at", task.ClaimedAt);
        Add(o, "points", task.Points);
        Add(o, "time_estimate_ms", task.TimeEstimateMs);
        if (task.TimeActualMs != 0)
        {
            o["time_actual_ms"] = task.TimeActualMs;
        }

        Add(o, "started_at", task.StartedAt);
        Add(o, "completed_at", task.CompletedAt);
        Add(o, "current_thought", task.CurrentThought);
        AddList(o, "tags", task.Tags);
        AddList(o, "needed_tags", task.NeededTags);
        AddList(o, "wanted_tags", task.WantedTags);
        var metrics = task.Metrics.ToList();
        while (metrics.Count > 0 && metrics[^1] == 0)
        {
            metrics.RemoveAt(metrics.Count - 1);
        }

        if (metrics.Count > 0)
        {
            o["metrics"] = new JsonArray([.. metrics.Select(m => (JsonNode?)m)]);
        }

        if (task.CostUsd != 0)
        {
            o["cost_usd"] = task.CostUsd;
        }

        o["created_at"] = task.CreatedAt;
        o["updated_at"] = task.UpdatedAt;
        Add(o, "deleted_at", task.DeletedAt);
        Add(o, "deleted_by", task.DeletedBy);
        Add(o, "deleted_reason", task.DeletedReason);
        return o;
    }

    /// <summary>A list of strings as a JSON array.</summary>
    public static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)v)]);

    /// <summary>A task as one markdown line: priority marks, title, whole id, owner, blockers, thought.</summary>
    public static string MarkdownLine(TaskRecord task, int blockedBy)
    {
        var marks = task.Priority >= 10 ? "!!! " : task.Priority >= 8 ? "!! " : task.Priority >= 6 ? "! " : string.Empty;
        var title = task.Title.Split('\n', 2)[0];
        if (title.Length > 80)
        {
            title = title[..80] + "...";
        }

        // The whole id, not the catalogue's id[..8]: get and claim need it.
        var line = $"- {marks}{title} `{task.Id}` [{task.Status}]";
        if (task.Owner is not null)
        {
            line += $" @{task.Owner}";
        }

        if (blockedBy > 0)
        {
            line += $" [blocked by {blockedBy}]";
        }

        if (!string.IsNullOrEmpty(task.CurrentThought))
        {
            line += $" - _{task.CurrentThought}_";
        }

        return line;
    }

    private static void Add(JsonObject o, string name, string? value)
    {
        if (value is not null)
        {
            o[name] = value;
        }
    }

    private static void Add(JsonObject o, string name, long? value)
    {
        if (value is not null)
        {
            o[name] = value;
        }
    }

    private static void AddList(JsonObject o, string name, IReadOnlyList<string> values)
    {
        if (values.Count > 0)
        {
            o[name] = Strings(values);
        }
    }
}
