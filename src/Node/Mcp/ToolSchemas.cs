using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace TaskGraph.Node.Mcp;

/// <summary>
/// Registers the node's tools and rewrites each tool's input schema once, from the method's parameters, so that an agent
/// can trust it: <c>required</c> lists the catalogue-required parameters (<see cref="Required"/>); every property has one
/// <c>type</c> (string, integer, boolean) or, for string-or-array parameters, <c>anyOf</c> of a string and an array of
/// strings (<see cref="ArgShapeAttribute"/>); integers carry their range (<see cref="RangeAttribute"/>, else the 32-bit
/// range of an <c>int</c>); defaults are named only where they exist (<see cref="DefaultValueAttribute"/>), never
/// <c>"default": null</c>. <see cref="ArgumentCheck"/> validates calls against the same schema before binding.
/// </summary>
public static class ToolSchemas
{
    /// <summary>
    /// The catalogue-required parameters per tool (tool-catalogue.md, <c>*</c>). Where a tool takes both
    /// <c>worker_id</c> and <c>agent</c>, the catalogue's name is listed and the other is accepted in its place
    /// (<see cref="AliasOf"/>): a top-level <c>anyOf</c> of required sets would say it exactly, but several model APIs
    /// refuse <c>anyOf</c> at the top of a tool's schema. <c>claim</c> requires only the worker: without a task it takes the
    /// next ready one.
    /// </summary>
    public static IReadOnlyDictionary<string, string[]> Required { get; } = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["disconnect"] = ["worker_id"],
        ["thinking"] = ["agent", "thought"],
        ["create_tree"] = ["tree"],
        ["get"] = ["task"],
        ["update"] = ["worker_id", "task"],
        ["claim"] = ["worker_id"],
        ["delete"] = ["worker_id", "task"],
        ["rename"] = ["worker_id", "task", "new_id"],
        ["scan"] = ["task"],
        ["search"] = ["query"],
        ["link"] = ["from", "to"],
        ["unlink"] = ["from", "to"],
        ["relink"] = ["prev_from", "prev_to", "from", "to"],
        ["task_history"] = ["task"],
        ["mark_file"] = ["agent", "file"],
        ["unmark_file"] = ["agent"],
        ["mark_updates"] = ["agent"],
        ["log_metrics"] = ["agent", "task"],
        ["get_metrics"] = ["task"],
        ["attach"] = ["task", "type"],
        ["attachments"] = ["task"],
        ["detach"] = ["agent", "task", "type"],
        ["check_gates"] = ["task"],
        ["add_overlay"] = ["worker_id", "overlay"],
        ["remove_overlay"] = ["worker_id", "overlay"],
        ["query"] = ["sql"],
        ["bulk_update"] = ["worker_id"],
        ["get_skill"] = ["name"],
        ["give_feedback"] = ["message"],
    };

    /// <summary>Free-text parameters: tab, newline and carriage return are allowed in them; every other string refuses control characters.</summary>
    public static IReadOnlySet<string> FreeText { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "title", "description", "reason", "thought", "query", "content", "sql", "message",
    };

    /// <summary>The parameter that may stand in for a required <paramref name="name"/> (worker_id and agent), else null.</summary>
    public static string? AliasOf(string name) => name switch
    {
        "worker_id" => "agent",
        "agent" => "worker_id",
        _ => null,
    };

    /// <summary>Why a tool refuses an argument it does not support yet (null when it does not refuse it).</summary>
    public static string? Refusal(string tool, string argument) => (tool, argument) switch
    {
        _ => null,
    };

    /// <summary>
    /// Adds every <c>[McpServerTool]</c> method of the <c>[McpServerToolType]</c> classes in <paramref name="assembly"/>,
    /// as <c>WithToolsFromAssembly</c> does, with the schema rewritten by <see cref="Rewrite"/>.
    /// </summary>
    public static IMcpServerBuilder WithTaskGraphTools(this IMcpServerBuilder builder, Assembly assembly)
    {
        foreach (var type in assembly.GetTypes().Where(t => t.GetCustomAttribute<McpServerToolTypeAttribute>() is not null))
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance)
                         .Where(m => m.GetCustomAttribute<McpServerToolAttribute>() is not null))
            {
                builder.Services.AddSingleton(services => Create(method, type, services));
            }
        }

        return builder;
    }

    /// <summary>One tool from its method, its schema rewritten.</summary>
    public static McpServerTool Create(MethodInfo method, Type type, IServiceProvider services)
    {
        var tool = method.IsStatic
            ? McpServerTool.Create(method, options: new() { Services = services })
            : McpServerTool.Create(method, r => ActivatorUtilities.CreateInstance(r.Services ?? services, type), new() { Services = services });
        tool.ProtocolTool.InputSchema = Rewrite(tool.ProtocolTool.Name, tool.ProtocolTool.InputSchema, method);
        Compact(tool.ProtocolTool.Annotations);
        return tool;
    }

    /// <summary>
    /// Drops the annotation hints that say what MCP already assumes, since every listed byte is context an agent pays for:
    /// destructive and idempotent mean nothing on a read-only tool, and false is the default of idempotent.
    /// </summary>
    private static void Compact(ToolAnnotations? annotations)
    {
        if (annotations is null)
        {
            return;
        }

        if (annotations.ReadOnlyHint == true)
        {
            annotations.DestructiveHint = null;
            annotations.IdempotentHint = null;
        }
        else if (annotations.IdempotentHint == false)
        {
            annotations.IdempotentHint = null;
        }
    }

    /// <summary>The schema of <paramref name="tool"/> rebuilt from <paramref name="method"/>'s parameters (descriptions kept).</summary>
    public static JsonElement Rewrite(string tool, JsonElement generated, MethodInfo method)
    {
        var parameters = method.GetParameters().Where(p => p.Name is not null).ToDictionary(p => p.Name!, StringComparer.Ordinal);
        var properties = new JsonObject();
        if (generated.TryGetProperty("properties", out var generatedProperties) && generatedProperties.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in generatedProperties.EnumerateObject())
            {
                var parameter = parameters.GetValueOrDefault(property.Name)
                    ?? throw new InvalidOperationException($"Tool '{tool}': schema property '{property.Name}' has no parameter of that name.");
                var description = property.Value.TryGetProperty("description", out var d) ? d.GetString() : null;
                properties[property.Name] = Property(tool, parameter, description);
            }
        }

        var schema = new JsonObject { ["type"] = "object", ["properties"] = properties };
        if (Required.TryGetValue(tool, out var required))
        {
            foreach (var name in required.Where(n => !properties.ContainsKey(n)))
            {
                throw new InvalidOperationException($"Tool '{tool}': required parameter '{name}' is not declared.");
            }

            schema["required"] = new JsonArray([.. required.Select(n => (JsonNode?)n)]);
        }

        return JsonSerializer.SerializeToElement(schema);
    }

    private static long Bound(object value)
    {
        var d = Convert.ToDouble(value, CultureInfo.InvariantCulture);
        return d >= long.MaxValue ? long.MaxValue : d <= long.MinValue ? long.MinValue : (long)d;
    }

    private static JsonObject Property(string tool, ParameterInfo parameter, string? description)
    {
        var type = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
        var o = new JsonObject();
        if (type == typeof(JsonElement))
        {
            var shape = parameter.GetCustomAttribute<ArgShapeAttribute>()?.Shape
                ?? throw new InvalidOperationException($"Tool '{tool}': JsonElement parameter '{parameter.Name}' needs an [ArgShape].");
            switch (shape)
            {
                case ArgShape.StringOrArray:
                    o["anyOf"] = new JsonArray(
                        new JsonObject { ["type"] = "string" },
                        new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } });
                    break;
                case ArgShape.Integer:
                    o["type"] = "integer";
                    break;
                case ArgShape.Object:
                    o["type"] = "object";
                    break;
                case ArgShape.Time:
                    o["anyOf"] = new JsonArray(new JsonObject { ["type"] = "integer" }, new JsonObject { ["type"] = "string" });
                    break;
                case ArgShape.Number:
                    o["type"] = "number";
                    break;
                case ArgShape.ObjectArray:
                    o["type"] = "array";
                    o["items"] = new JsonObject { ["type"] = "object" };
                    break;
                case ArgShape.IntegerArray:
                    o["type"] = "array";
                    o["items"] = new JsonObject { ["type"] = "integer", ["minimum"] = 0 };
                    break;
            }
        }
        else if (type == typeof(string))
        {
            o["type"] = "string";
        }
        else if (type == typeof(bool))
        {
            o["type"] = "boolean";
        }
        else if (type == typeof(int) || type == typeof(long))
        {
            o["type"] = "integer";
            var range = parameter.GetCustomAttribute<RangeAttribute>();
            var (min, max) = range is not null
                ? (Bound(range.Minimum), Bound(range.Maximum))
                : type == typeof(int) ? (int.MinValue, int.MaxValue) : (long.MinValue, long.MaxValue);
            if (min != long.MinValue)
            {
                o["minimum"] = min;
            }

            if (max != long.MaxValue)
            {
                o["maximum"] = max;
            }
        }
        else if (type == typeof(string[]))
        {
            o["type"] = "array";
            o["items"] = new JsonObject { ["type"] = "string" };
        }
        else
        {
            throw new InvalidOperationException($"Tool '{tool}': parameter '{parameter.Name}' has an unsupported type {type.Name}.");
        }

        if (description is not null)
        {
            o["description"] = description;
        }

        if ((parameter.GetCustomAttribute<DefaultValueAttribute>()?.Value ?? parameter.GetCustomAttribute<ArgShapeAttribute>()?.Default) is { } value)
        {
            o["default"] = JsonSerializer.SerializeToNode(value);
        }

        return o;
    }
}
