using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using TaskGraph.Core.Errors;

namespace TaskGraph.Node.Mcp;

/// <summary>
/// Checks call arguments against a tool's advertised input schema before the SDK binds them, so that a missing
/// required argument or a wrong JSON type comes back as MISSING_REQUIRED_FIELD / INVALID_FIELD_VALUE naming the field
/// (SDK 2.4.0 otherwise fails the binding with a generic "An error occurred invoking 'x'."). Numeric strings are
/// accepted for integer and number parameters because the SDK's serializer reads numbers from strings. Parameters typed
/// <see cref="JsonElement"/> advertise no type and are left to <see cref="Args"/>. Nulls for optional parameters are
/// dropped (treated as absent); unknown arguments are left alone (the SDK ignores them).
/// </summary>
public static class ArgumentCheck
{
    /// <summary>Validates <paramref name="arguments"/> in place; throws <see cref="TaskGraphException"/> on the first problem.</summary>
    public static void Validate(JsonElement inputSchema, IDictionary<string, JsonElement>? arguments)
    {
        if (inputSchema.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var required = inputSchema.TryGetProperty("required", out var req) && req.ValueKind == JsonValueKind.Array
            ? req.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.String).Select(r => r.GetString()!).ToHashSet(StringComparer.Ordinal)
            : [];

        foreach (var name in required)
        {
            if (arguments is null || !arguments.TryGetValue(name, out var value) || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            {
                throw TaskGraphException.Missing(name);
            }
        }

        if (arguments is null || !inputSchema.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var property in properties.EnumerateObject())
        {
            if (!arguments.TryGetValue(property.Name, out var value))
            {
                continue;
            }

            if (value.ValueKind == JsonValueKind.Null && !Allows(property.Value, "null"))
            {
                arguments.Remove(property.Name);
                continue;
            }

            Check(property.Name, property.Value, value);
        }
    }

    private static void Check(string field, JsonElement schema, JsonElement value)
    {
        var types = Types(schema);
        if (types.Count == 0 || types.Any(t => Matches(t, schema, value)))
        {
            if (value.ValueKind == JsonValueKind.Array && types.Contains("array") && schema.TryGetProperty("items", out var items))
            {
                foreach (var item in value.EnumerateArray())
                {
                    if (Types(items) is { Count: > 0 } itemTypes && !itemTypes.Any(t => Matches(t, items, item)))
                    {
                        throw TaskGraphException.Invalid(field, $"{field} must be {Expected(types, items)}");
                    }
                }
            }

            return;
        }

        throw TaskGraphException.Invalid(field, $"{field} must be {Expected(types, schema.TryGetProperty("items", out var i) ? i : default)}");
    }

    private static bool Matches(string type, JsonElement schema, JsonElement value) => type switch
    {
        "string" => value.ValueKind == JsonValueKind.String && MatchesPattern(schema, value.GetString()!),
        "integer" => value.ValueKind == JsonValueKind.Number ? value.TryGetInt64(out _)
            : value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
        "number" => value.ValueKind == JsonValueKind.Number
            || (value.ValueKind == JsonValueKind.String && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out _)),
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "array" => value.ValueKind == JsonValueKind.Array,
        "object" => value.ValueKind == JsonValueKind.Object,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => true,
    };

    private static bool MatchesPattern(JsonElement schema, string text) =>
        !schema.TryGetProperty("pattern", out var pattern) || pattern.ValueKind != JsonValueKind.String
        || Regex.IsMatch(text, pattern.GetString()!, RegexOptions.None, TimeSpan.FromMilliseconds(100));

    private static bool Allows(JsonElement schema, string type) => Types(schema) is var t && (t.Count == 0 || t.Contains(type));

    private static List<string> Types(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object || !schema.TryGetProperty("type", out var type))
        {
            return [];
        }

        return type.ValueKind switch
        {
            JsonValueKind.String => [type.GetString()!],
            JsonValueKind.Array => [.. type.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()!)],
            _ => [],
        };
    }

    private static string Expected(List<string> types, JsonElement items)
    {
        var names = types.Where(t => t != "null").Select(t => t switch
        {
            "string" when types.Contains("integer") || types.Contains("number") => null,
            "integer" => "an integer",
            "number" => "a number",
            "boolean" => "true or false",
            "array" => Types(items) is { Count: > 0 } it ? $"an array of {string.Join(" or ", it.Where(x => x != "null").Select(x => x + "s"))}" : "an array",
            "object" => "an object",
            _ => "a " + t,
        }).Where(n => n is not null);
        return string.Join(" or ", names);
    }
}
