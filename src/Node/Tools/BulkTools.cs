using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Runtime;
using TaskGraph.Core.Tasks;
using TaskGraph.Node.Hosting;
using TaskGraph.Node.Mcp;
using TaskGraph.Node.Mcp.Rendering;

namespace TaskGraph.Node.Tools;

/// <summary>
/// bulk_update: many updates in one call, each the unified transition on its own and in the order given (a refused item
/// does not stop the rest, and nothing is rolled back: the answer says what each item did).
/// </summary>
[McpServerToolType]
internal sealed class BulkTools(ServedGraphs served)
{
    /// <summary>Most items in one call.</summary>
    public const int MaxItems = 100;

    private readonly GraphRuntime _graph = served.Current.Runtime;

    [McpServerTool(Name = "bulk_update", Destructive = false, Idempotent = false, OpenWorld = false)]
    [Description("Several updates in one call, applied in order, each on its own: updates=[{task, status?, phase?, priority?, assignee?, reason?, force?, cascade?}], or tasks=[ids] with shared fields. Answers each item's result.")]
    public async Task<CallToolResult> BulkUpdateAsync(
        [Description("Your worker id.")] string? worker_id = null,
        [Description("The updates: [{task, status?, phase?, priority?, assignee?, reason?, force?, cascade?}] (at most 100).")][ArgShape(ArgShape.ObjectArray)] JsonElement? updates = null,
        [Description("Or: task ids that all get the fields below.")][ArgShape(ArgShape.StringOrArray)] JsonElement? tasks = null,
        [Description("With tasks: new status.")] string? status = null,
        [Description("With tasks: new phase.")] string? phase = null,
        [Description("With tasks: new priority 0..10.")][ArgShape(ArgShape.Integer)] JsonElement? priority = null,
        [Description("With tasks: assign to this worker.")] string? assignee = null,
        [Description("With tasks: why (in history).")] string? reason = null,
        [Description("With tasks: override owners and dependencies.")][DefaultValue(false)] bool? force = null,
        [Description("Alias of worker_id.")] string? agent = null,
        CancellationToken cancellationToken = default)
    {
        var workerId = Args.WorkerId(worker_id, agent)!;
        var items = Items(workerId, updates, tasks, new UpdateTaskRequest
        {
            WorkerId = workerId,
            TaskId = "-",
            Status = Args.OptionalString(status, "status", 64),
            Phase = Args.OptionalString(phase, "phase", 200),
            Priority = priority is null ? null : Args.Priority(priority),
            Assignee = Args.OptionalString(assignee, "assignee", 200),
            Reason = reason,
            Force = force ?? false,
        });
        var results = new JsonArray();
        var updated = 0;
        foreach (var (taskId, request, problem) in items)
        {
            if (problem is not null)
            {
                results.Add(Failed(taskId, problem));
                continue;
            }

            try
            {
                var result = await _graph.Tasks.UpdateAsync(request!, cancellationToken);
                var o = new JsonObject { ["task"] = taskId, ["success"] = true, ["status"] = result.Task.Status };
                if (result.Task.Owner is { } owner)
                {
                    o["worker_id"] = owner;
                }

                foreach (var (name, list) in new[] { ("unblocked", result.Unblocked), ("rolled_up", result.RolledUp), ("cascaded", result.Cascaded) })
                {
                    if (list.Count > 0)
                    {
                        o[name] = TaskJson.Strings(list);
                    }
                }

                results.Add(o);
                updated++;
            }
            catch (TaskGraphException ex)
            {
                results.Add(Failed(taskId, ex));
            }
        }

        return ToolResults.Json(new JsonObject { ["results"] = results, ["updated"] = updated, ["failed"] = items.Count - updated });
    }

    /// <summary>The requests the call describes, or an item's own argument error (reported in its place, not for the whole call).</summary>
    private static List<(string Task, UpdateTaskRequest? Request, TaskGraphException? Problem)> Items(
        string workerId, JsonElement? updates, JsonElement? tasks, UpdateTaskRequest shared)
    {
        var hasUpdates = updates is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) };
        var ids = Args.StringOrArray(tasks, "tasks", maxLength: 200);
        if (hasUpdates == ids.Count > 0)
        {
            throw hasUpdates
                ? TaskGraphException.Invalid("tasks", "give updates or tasks, not both")
                : new TaskGraphException(ErrorCodes.MissingRequiredField, "updates or tasks is required") { Field = "updates" };
        }

        var list = new List<(string, UpdateTaskRequest?, TaskGraphException?)>();
        if (!hasUpdates)
        {
            Count(ids.Count, "tasks");
            list.AddRange(ids.Select(id => (id, (UpdateTaskRequest?)(shared with { TaskId = id }), (TaskGraphException?)null)));
            return list;
        }

        if (updates!.Value.ValueKind != JsonValueKind.Array)
        {
            throw TaskGraphException.Invalid("updates", "updates must be an array of {task, ...} objects");
        }

        Count(updates.Value.GetArrayLength(), "updates");
        var i = 0;
        foreach (var item in updates.Value.EnumerateArray())
        {
            var path = $"updates[{i++}]";
            try
            {
                list.Add(Item(workerId, item, path));
            }
            catch (TaskGraphException ex)
            {
                list.Add((item.ValueKind == JsonValueKind.Object && item.TryGetProperty("task", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : path, null, ex));
            }
        }

        return list;
    }

    private static (string, UpdateTaskRequest?, TaskGraphException?) Item(string workerId, JsonElement item, string path)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw TaskGraphException.Invalid(path, $"{path} must be an object");
        }

        JsonElement? Prop(string name) => item.TryGetProperty(name, out var v) ? v : null;
        var taskId = Args.RequiredString(Prop("task"), $"{path}.task", 200);
        return (taskId, new UpdateTaskRequest
        {
            WorkerId = workerId,
            TaskId = taskId,
            Status = Args.OptionalString(Prop("status"), $"{path}.status", 64),
            Phase = Args.OptionalString(Prop("phase"), $"{path}.phase", 200),
            Priority = Prop("priority") is { } p ? Args.Priority(p, $"{path}.priority") : null,
            Assignee = Args.OptionalString(Prop("assignee"), $"{path}.assignee", 200),
            Reason = Args.OptionalString(Prop("reason"), $"{path}.reason"),
            Force = Args.Bool(Prop("force"), $"{path}.force"),
            Cascade = Args.Bool(Prop("cascade"), $"{path}.cascade"),
        }, null);
    }

    private static void Count(int count, string field)
    {
        if (count > MaxItems)
        {
            throw TaskGraphException.Invalid(field, $"at most {MaxItems} items in one bulk_update, got {count}");
        }
    }

    private static JsonObject Failed(string taskId, TaskGraphException ex) => new()
    {
        ["task"] = taskId,
        ["success"] = false,
        ["error"] = new JsonObject { ["code"] = ex.Code, ["message"] = ex.Message, ["field"] = ex.Field },
    };
}
