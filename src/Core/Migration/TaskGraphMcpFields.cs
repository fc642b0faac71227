using System.Globalization;
using System.Text.Json;

namespace TaskGraph.Core.Migration;

/// <summary>
/// Lenient readers of the columns of a task-graph-mcp export row. Its exporter writes some tables as raw rows and the
/// tasks as a compact DTO, so one field may come as a number or a string, a JSON array or a JSON string holding one;
/// each reader accepts every such spelling and several column names, and throws <see cref="SnapshotFormatException"/>
/// naming the row and field when a value has none of the shapes it knows. A missing field and a JSON null both read as
/// absent.
/// </summary>
internal static class TaskGraphMcpFields
{
    /// <summary>The first of <paramref name="names"/> present in <paramref name="row"/> with a non-null value.</summary>
    public static bool TryGet(JsonElement row, out JsonElement value, out string name, params ReadOnlySpan<string> names)
    {
        foreach (var candidate in names)
        {
            if (row.TryGetProperty(candidate, out value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
            {
                name = candidate;
                return true;
            }
        }

        value = default;
        name = names.Length > 0 ? names[0] : string.Empty;
        return false;
    }

    /// <summary>A text field; numbers and booleans read as their JSON text.</summary>
    public static string? Text(JsonElement row, string where, params ReadOnlySpan<string> names)
    {
        if (!TryGet(row, out var value, out var name, names))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
            _ => throw Wrong(where, name, "a string", value),
        };
    }

    /// <summary>An integer field: a JSON number (a fraction is truncated) or a string holding one.</summary>
    public static long? Integer(JsonElement row, string where, params ReadOnlySpan<string> names)
    {
        if (!TryGet(row, out var value, out var name, names))
        {
            return null;
        }

        return IntegerOf(value) ?? throw Wrong(where, name, "an integer", value);
    }

    /// <summary>A number field: a JSON number or a string holding one.</summary>
    public static double? Number(JsonElement row, string where, params ReadOnlySpan<string> names)
    {
        if (!TryGet(row, out var value, out var name, names))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String && (value.GetString() ?? string.Empty).Trim() is { Length: > 0 } text
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(value.GetString()))
        {
            return null;
        }

        throw Wrong(where, name, "a number", value);
    }

    /// <summary>A time field as epoch milliseconds: a number of ms, a string holding one, or an RFC 3339 / ISO 8601 string.</summary>
    public static long? Time(JsonElement row, string where, params ReadOnlySpan<string> names)
    {
        if (!TryGet(row, out var value, out var name, names))
        {
            return null;
        }

        if (IntegerOf(value) is { } ms)
        {
            return ms;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            var text = (value.GetString() ?? string.Empty).Trim();
            if (text.Length == 0)
            {
                return null;
            }

            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var time))
            {
                return time.ToUnixTimeMilliseconds();
            }
        }

        throw Wrong(where, name, "a time (epoch ms or RFC 3339)", value);
    }

    /// <summary>
    /// A list of strings: a JSON array, or a string holding a JSON array (the raw column), or a comma-separated string.
    /// Empty and blank entries are dropped; order is kept, duplicates removed.
    /// </summary>
    public static IReadOnlyList<string> Strings(JsonElement row, string where, params ReadOnlySpan<string> names)
    {
        if (!TryGet(row, out var value, out var name, names))
        {
            return [];
        }

        var list = new List<string>();
        if (value.ValueKind == JsonValueKind.String)
        {
            var text = (value.GetString() ?? string.Empty).Trim();
            if (text.StartsWith('['))
            {
                using var inner = Parse(text, where, name);
                AddStrings(inner.RootElement, list, where, name);
            }
            else
            {
                list.AddRange(text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
            }
        }
        else if (value.ValueKind == JsonValueKind.Array)
        {
            AddStrings(value, list, where, name);
        }
        else
        {
            throw Wrong(where, name, "a list of strings", value);
        }

        return [.. list.Where(s => !string.IsNullOrWhiteSpace(s)).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>A list of integers: a JSON array, or a string holding a JSON array (absent entries read as 0).</summary>
    public static IReadOnlyList<long>? Integers(JsonElement row, string where, params ReadOnlySpan<string> names)
    {
        if (!TryGet(row, out var value, out var name, names))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            var text = (value.GetString() ?? string.Empty).Trim();
            if (text.Length == 0)
            {
                return null;
            }

            using var inner = Parse(text, where, name);
            return IntegersOf(inner.RootElement, where, name);
        }

        return IntegersOf(value, where, name);
    }

    /// <summary>The error for a field whose value has none of the shapes its reader knows.</summary>
    public static SnapshotFormatException Wrong(string where, string name, string expected, JsonElement value)
    {
        var shown = value.ValueKind == JsonValueKind.String ? $"the string '{Shorten(value.GetString() ?? string.Empty)}'" : $"a JSON {value.ValueKind.ToString().ToLowerInvariant()}";
        return new SnapshotFormatException($"{where}: field '{name}' should be {expected}, got {shown}.");
    }

    private static long? IntegerOf(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            if (value.TryGetInt64(out var integer))
            {
                return integer;
            }

            return value.TryGetDouble(out var number) && Math.Abs(number) < 9.2e18 ? (long)number : null;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            var text = (value.GetString() ?? string.Empty).Trim();
            if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var integer))
            {
                return integer;
            }

            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && Math.Abs(number) < 9.2e18)
            {
                return (long)number;
            }
        }

        return null;
    }

    private static List<long> IntegersOf(JsonElement array, string where, string name)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw Wrong(where, name, "a list of integers", array);
        }

        var list = new List<long>();
        foreach (var item in array.EnumerateArray())
        {
            list.Add(item.ValueKind == JsonValueKind.Null ? 0 : IntegerOf(item) ?? throw Wrong(where, name, "a list of integers", item));
        }

        return list;
    }

    private static void AddStrings(JsonElement array, List<string> list, string where, string name)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw Wrong(where, name, "a list of strings", array);
        }

        foreach (var item in array.EnumerateArray())
        {
            list.Add(item.ValueKind switch
            {
                JsonValueKind.String => item.GetString() ?? string.Empty,
                JsonValueKind.Number => item.GetRawText(),
                JsonValueKind.Null => string.Empty,
                _ => throw Wrong(where, name, "a list of strings", item),
            });
        }
    }

    private static JsonDocument Parse(string text, string where, string name)
    {
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            throw new SnapshotFormatException($"{where}: field '{name}' holds a string that is not valid JSON ({ex.Message}).", ex);
        }
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
