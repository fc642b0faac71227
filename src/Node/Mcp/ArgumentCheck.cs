using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using TaskGraph.Core.Errors;

namespace TaskGraph.Node.Mcp;

/// <summary>
/// Checks call arguments against a tool's advertised input schema before the SDK binds them, so that every bad argument
/// comes back as MISSING_REQUIRED_FIELD / INVALID_FIELD_VALUE naming the field (SDK 2.4.0 otherwise fails the binding
/// with a generic error):
/// <list type="bullet">
/// <item>a required parameter may be given under its alias (<see cref="ToolSchemas.AliasOf"/>: worker_id / agent);</item>
/// <item>integers are JSON integers or strictly numeric strings ("7", "-3"; not " 7 ", "7.0", "1e3"), within the schema's
/// <c>minimum</c>/<c>maximum</c> (which <see cref="ToolSchemas"/> sets to what the tool binds);</item>
/// <item><c>anyOf</c> means any branch; arrays are checked item by item;</item>
/// <item>strings refuse control characters (U+0000-U+001F, U+007F-U+009F) except tab, newline and carriage return in free
/// text (<see cref="ToolSchemas.FreeText"/>).</item>
/// </list>
/// Nulls for optional parameters are dropped (treated as absent); unknown arguments are left alone (the SDK ignores them).
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

        var hasProperties = inputSchema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object;
        var required = inputSchema.TryGetProperty("required", out var req) && req.ValueKind == JsonValueKind.Array
            ? req.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.String).Select(r => r.GetString()!).ToList()
            : [];

        foreach (var name in required)
        {
            if (Present(arguments, name))
            {
                continue;
            }

            var alias = ToolSchemas.AliasOf(name);
            if (alias is not null && hasProperties && properties.TryGetProperty(alias, out _) && Present(arguments, alias))
            {
                continue;
            }

            throw TaskGraphException.Missing(name);
        }

        if (arguments is null || !hasProperties)
        {
            return;
        }

        foreach (var property in properties.EnumerateObject())
        {
            if (!arguments.TryGetValue(property.Name, out var value))
            {
                continue;
            }

            if (value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined && !Allows(property.Value, "null"))
            {
                arguments.Remove(property.Name);
                continue;
            }

            Check(property.Name, property.Value, value);
        }
    }

    private static bool Present(IDictionary<string, JsonElement>? arguments, string name) =>
        arguments is not null && arguments.TryGetValue(name, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined);

    private static void Check(string field, JsonElement schema, JsonElement value)
    {
        if (!Fits(field, schema, value, out var problem))
        {
            throw TaskGraphException.Invalid(field, problem ?? $"{field} must be {Expected(schema)}");
        }
    }

    /// <summary>True when <paramref name="value"/> fits <paramref name="schema"/>; <paramref name="problem"/> is a specific message when there is one.</summary>
    private static bool Fits(string field, JsonElement schema, JsonElement value, out string? problem)
    {
        problem = null;
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return true;
        }

        if (schema.TryGetProperty("anyOf", out var anyOf) && anyOf.ValueKind == JsonValueKind.Array)
        {
            string? firstProblem = null;
            foreach (var branch in anyOf.EnumerateArray())
            {
                if (Fits(field, branch, value, out var p))
                {
                    return true;
                }

                firstProblem ??= p;
            }

            problem = firstProblem;
            return false;
        }

        var types = Types(schema);
        if (types.Count == 0)
        {
            return true;
        }

        foreach (var type in types)
        {
            if (Matches(field, type, schema, value, out var p))
            {
                return true;
            }

            problem ??= p;
        }

        return false;
    }

    private static bool Matches(string field, string type, JsonElement schema, JsonElement value, out string? problem)
    {
        problem = null;
        switch (type)
        {
            case "string":
                if (value.ValueKind != JsonValueKind.String)
                {
                    return false;
                }

                var text = value.GetString()!;
                if (ControlCharacter(field, text) is { } c)
                {
                    problem = $"{field} must not contain control characters (found U+{(int)c:X4})";
                    return false;
                }

                return MatchesPattern(schema, text);
            case "integer":
                long number;
                if (value.ValueKind == JsonValueKind.Number)
                {
                    if (!value.TryGetInt64(out number))
                    {
                        return false;
                    }
                }
                else if (value.ValueKind != JsonValueKind.String || !StrictInteger(value.GetString()!, out number))
                {
                    return false;
                }

                return InRange(field, schema, number, out problem);
            case "number":
                return value.ValueKind == JsonValueKind.Number
                    || (value.ValueKind == JsonValueKind.String && double.TryParse(value.GetString(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out _));
            case "boolean":
                return value.ValueKind is JsonValueKind.True or JsonValueKind.False;
            case "array":
                if (value.ValueKind != JsonValueKind.Array)
                {
                    return false;
                }

                if (schema.TryGetProperty("items", out var items))
                {
                    foreach (var item in value.EnumerateArray())
                    {
                        if (!Fits(field, items, item, out problem))
                        {
                            return false;
                        }
                    }
                }

                return true;
            case "object":
                return value.ValueKind == JsonValueKind.Object;
            case "null":
                return value.ValueKind == JsonValueKind.Null;
            default:
                return true;
        }
    }

    /// <summary>Digits with an optional leading '-': no spaces, no '+', no decimal point or exponent.</summary>
    private static bool StrictInteger(string text, out long number)
    {
        number = 0;
        var digits = text.StartsWith('-') ? text.AsSpan(1) : text.AsSpan();
        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return digits.Length > 0 && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number);
    }

    private static bool InRange(string field, JsonElement schema, long number, out string? problem)
    {
        problem = null;
        long? min = schema.TryGetProperty("minimum", out var mn) && mn.TryGetInt64(out var a) ? a : null;
        long? max = schema.TryGetProperty("maximum", out var mx) && mx.TryGetInt64(out var b) ? b : null;
        if ((min is null || number >= min) && (max is null || number <= max))
        {
            return true;
        }

        problem = (min, max) switch
        {
            ({ } lo, { } hi) => $"{field} must be an integer between {lo} and {hi}, got {number}",
            ({ } lo, null) => $"{field} must be an integer of at least {lo}, got {number}",
            _ => $"{field} must be an integer of at most {max}, got {number}",
        };
        return false;
    }

    private static char? ControlCharacter(string field, string text)
    {
        var freeText = ToolSchemas.FreeText.Contains(field);
        foreach (var c in text)
        {
            if (char.IsControl(c) && !(freeText && c is '\t' or '\n' or '\r'))
            {
                return c;
            }
        }

        return null;
    }

    private static bool MatchesPattern(JsonElement schema, string text) =>
        !schema.TryGetProperty("pattern", out var pattern) || pattern.ValueKind != JsonValueKind.String
        || Regex.IsMatch(text, pattern.GetString()!, RegexOptions.None, TimeSpan.FromMilliseconds(100));

    private static bool Allows(JsonElement schema, string type)
    {
        if (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("anyOf", out var anyOf) && anyOf.ValueKind == JsonValueKind.Array)
        {
            return anyOf.EnumerateArray().Any(b => Types(b).Contains(type));
        }

        var types = Types(schema);
        return types.Count == 0 || types.Contains(type);
    }

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

    private static string Expected(JsonElement schema)
    {
        if (schema.TryGetProperty("anyOf", out var anyOf) && anyOf.ValueKind == JsonValueKind.Array)
        {
            return string.Join(" or ", anyOf.EnumerateArray().Select(Expected));
        }

        var types = Types(schema);
        var items = schema.TryGetProperty("items", out var i) ? i : default;
        var names = types.Where(t => t != "null").Select(t => t switch
        {
            "string" when types.Contains("integer") || types.Contains("number") => null,
            "integer" => "an integer",
            "number" => "a number",
            "boolean" => "true or false",
            "array" => items.ValueKind == JsonValueKind.Object && Types(items) is { Count: > 0 } it
                ? $"an array of {string.Join(" or ", it.Where(x => x != "null").Select(x => x + "s"))}"
                : "an array",
            "object" => "an object",
            _ => "a " + t,
        }).Where(n => n is not null);
        return string.Join(" or ", names);
    }
}
