using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Queries;

namespace TaskGraph.Node.Auth;

/// <summary>
/// A token's tag scope: it sees and acts on only the tasks having at least one of its tags. Task ids in arguments are
/// checked (a read of a task outside the scope answers TASK_NOT_FOUND, an action FORBIDDEN); <c>list_tasks</c> and
/// claim-next are narrowed with <c>tags_any</c>; new tasks must carry a scope tag; answers that list tasks from
/// elsewhere (search, project history, scan, events) are filtered; <c>query</c> (raw SQL) is refused.
/// </summary>
public sealed class TagScope(Principal principal, TaskQueries tasks)
{
    private static readonly string[] IdArguments = ["task", "from", "to", "prev_from", "prev_to", "parent"];
    private readonly HashSet<string> _tags = [.. principal.Tags ?? []];

    /// <summary>True when the task (by id) is visible; unknown ids are left to the tool (it answers TASK_NOT_FOUND).</summary>
    public bool Allows(string taskId) => tasks.Find(taskId) is not { } task || Fits(task.Tags);

    /// <summary>Checks and narrows the arguments of a call by <paramref name="tool"/> before it runs.</summary>
    public void Apply(string tool, bool isRead, IDictionary<string, JsonElement> arguments)
    {
        if (tool == "query")
        {
            // Raw SQL reads every task; no filter on its answer could tell which rows came from outside the scope.
            throw OutOfScope("sql", "query is refused: raw SQL would read past the tag scope");
        }

        foreach (var name in IdArguments)
        {
            foreach (var id in Strings(arguments, name))
            {
                if (!Allows(id))
                {
                    throw isRead
                        ? TaskGraphException.TaskNotFound(id, name)
                        : new TaskGraphException(ErrorCodes.Forbidden, $"task '{id}' is outside the tag scope of token '{principal.Name}' ({string.Join(", ", _tags)})")
                        {
                            Field = name,
                            Details = new Dictionary<string, object?> { ["scope"] = _tags.Order(StringComparer.Ordinal).ToList(), ["token"] = principal.Name },
                        };
                }
            }
        }

        if (tool == "list_tasks" || (tool == "claim" && !arguments.ContainsKey("task")))
        {
            var asked = Strings(arguments, "tags_any").ToList();
            var narrowed = asked.Count == 0 ? [.. _tags] : asked.Where(_tags.Contains).ToList();
            if (narrowed.Count == 0)
            {
                throw new TaskGraphException(ErrorCodes.Forbidden, $"tags_any names no tag of the scope of token '{principal.Name}' ({string.Join(", ", _tags)})") { Field = "tags_any" };
            }

            arguments["tags_any"] = JsonSerializer.SerializeToElement(narrowed);
        }

        if (tool == "create" && !Fits(Strings(arguments, "tags")))
        {
            throw OutOfScope("tags", "a new task must carry a tag of the scope");
        }

        if (tool == "create_tree" && arguments.TryGetValue("tree", out var tree) && !TreeFits(tree))
        {
            throw OutOfScope("tree", "every task of the tree must carry a tag of the scope");
        }
    }

    /// <summary>Drops the tasks outside the scope from answers that gather them from the whole graph.</summary>
    public CallToolResult Filter(string tool, CallToolResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var arrays = tool switch
        {
            "search" => new[] { ("results", "task_id") },
            "project_history" => [("transitions", "task_id")],
            "scan" => [("before", "id"), ("after", "id"), ("above", "id"), ("below", "id")],
            "wait_for_events" => [("events", "id")],
            _ => [],
        };
        if (arrays.Length == 0 || result.IsError is true || result.Content is not [TextContentBlock text] || JsonNode.Parse(text.Text) is not JsonObject answer)
        {
            return result;
        }

        foreach (var (property, idField) in arrays)
        {
            if (answer[property] is not JsonArray items)
            {
                continue;
            }

            var kept = items.Where(item => item is not JsonObject o
                || (tool == "wait_for_events" && o["kind"]?.GetValue<string>() != "task")
                || o[idField]?.GetValue<string>() is not { } id
                || Allows(id)).Select(item => item?.DeepClone()).ToList();
            answer[property] = new JsonArray([.. kept]);
        }

        return new CallToolResult { Content = [new TextContentBlock { Text = answer.ToJsonString() }], IsError = result.IsError };
    }

    private bool Fits(IEnumerable<string> tags) => tags.Any(_tags.Contains);

    private bool TreeFits(JsonElement node)
    {
        if (node.ValueKind == JsonValueKind.Array)
        {
            return node.EnumerateArray().All(TreeFits);
        }

        if (node.ValueKind != JsonValueKind.Object)
        {
            return true;
        }

        var tags = node.TryGetProperty("tags", out var t) ? Values(t) : [];
        return Fits(tags) && (!node.TryGetProperty("children", out var children) || TreeFits(children));
    }

    private TaskGraphException OutOfScope(string field, string message) =>
        new(ErrorCodes.Forbidden, $"{message} of token '{principal.Name}' ({string.Join(", ", _tags)})") { Field = field };

    private static List<string> Strings(IDictionary<string, JsonElement> arguments, string name) =>
        arguments.TryGetValue(name, out var value) ? Values(value) : [];

    private static List<string> Values(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => [value.GetString()!],
        JsonValueKind.Array => [.. value.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)],
        _ => [],
    };
}
