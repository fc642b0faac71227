using System.Globalization;
using System.Text.Json;
using TaskGraph.Core.Errors;

namespace TaskGraph.Node.Mcp;

/// <summary>
/// Lenient argument readers for tool methods, matching task-graph-mcp's tolerance. Declare a parameter as
/// <c>JsonElement?</c> when it accepts several JSON shapes (string or array, int or numeric string) and read it here;
/// every failure throws <see cref="TaskGraphException"/> with the field name, which the call filter turns into the envelope.
/// </summary>
public static class Args
{
    /// <summary>Default maximum length of a string argument.</summary>
    public const int DefaultMaxLength = 100_000;

    /// <summary>A required, non-blank string of at most <paramref name="maxLength"/> characters.</summary>
    public static string RequiredString(string? value, string field, int maxLength = DefaultMaxLength) =>
        OptionalString(value, field, maxLength) ?? throw TaskGraphException.Missing(field);

    /// <summary>A required string from a JSON value (numbers and booleans are taken as their text).</summary>
    public static string RequiredString(JsonElement? value, string field, int maxLength = DefaultMaxLength) =>
        OptionalString(value, field, maxLength) ?? throw TaskGraphException.Missing(field);

    /// <summary>An optional string; blank counts as absent; longer than <paramref name="maxLength"/> is INVALID_FIELD_VALUE.</summary>
    public static string? OptionalString(string? value, string field, int maxLength = DefaultMaxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return value.Length <= maxLength
            ? value
            : throw TaskGraphException.Invalid(field, $"{field} is too long ({value.Length} characters, at most {maxLength})");
    }

    /// <summary>An optional string from a JSON value; objects and arrays are INVALID_FIELD_VALUE.</summary>
    public static string? OptionalString(JsonElement? value, string field, int maxLength = DefaultMaxLength) => value switch
    {
        null or { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => null,
        { ValueKind: JsonValueKind.String } v => OptionalString(v.GetString(), field, maxLength),
        { ValueKind: JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False } v => OptionalString(v.GetRawText(), field, maxLength),
        _ => throw TaskGraphException.Invalid(field, $"{field} must be a string"),
    };

    /// <summary>One string or an array of strings (<c>"a"</c> or <c>["a","b"]</c>); empty when absent unless <paramref name="required"/>.</summary>
    public static IReadOnlyList<string> StringOrArray(JsonElement? value, string field, bool required = false, int maxLength = DefaultMaxLength)
    {
        List<string> result = [];
        switch (value)
        {
            case null or { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined }:
                break;
            case { ValueKind: JsonValueKind.String } v:
                if (OptionalString(v.GetString(), field, maxLength) is { } single)
                {
                    result.Add(single);
                }

                break;
            case { ValueKind: JsonValueKind.Array } v:
                foreach (var item in v.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String)
                    {
                        throw TaskGraphException.Invalid(field, $"{field} must be a string or an array of strings");
                    }

                    if (OptionalString(item.GetString(), field, maxLength) is { } text)
                    {
                        result.Add(text);
                    }
                }

                break;
            default:
                throw TaskGraphException.Invalid(field, $"{field} must be a string or an array of strings");
        }

        return required && result.Count == 0 ? throw TaskGraphException.Missing(field) : result;
    }

    /// <summary>
    /// An integer (JSON number or numeric string), clamped to <paramref name="min"/>..<paramref name="max"/>;
    /// <paramref name="defaultValue"/> when absent; anything else is INVALID_FIELD_VALUE.
    /// </summary>
    public static int WholeNumber(JsonElement? value, string field, int defaultValue, int min = int.MinValue, int max = int.MaxValue) =>
        TryNumber(value, out var number, out var absent) ? Clamp(number, min, max)
        : absent ? defaultValue
        : throw TaskGraphException.Invalid(field, $"{field} must be an integer");

    /// <summary>A number (JSON number or numeric string), or null when absent; anything else is INVALID_FIELD_VALUE.</summary>
    public static double? Number(JsonElement? value, string field) => value switch
    {
        null or { ValueKind: JsonValueKind.Null } => null,
        { ValueKind: JsonValueKind.Number } v => v.GetDouble(),
        { ValueKind: JsonValueKind.String } v when double.TryParse(v.GetString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) => d,
        _ => throw TaskGraphException.Invalid(field, $"{field} must be a number"),
    };

    /// <summary>An array of non-negative integers (empty when absent); anything else is INVALID_FIELD_VALUE.</summary>
    public static IReadOnlyList<long> NonNegativeIntegers(JsonElement? value, string field)
    {
        if (value is null or { ValueKind: JsonValueKind.Null })
        {
            return [];
        }

        if (value is not { ValueKind: JsonValueKind.Array } array)
        {
            throw TaskGraphException.Invalid(field, $"{field} must be an array of integers");
        }

        return [.. array.EnumerateArray().Select(item => item.ValueKind == JsonValueKind.Number && item.TryGetInt64(out var n) && n >= 0
            ? n
            : throw TaskGraphException.Invalid(field, $"{field} must hold integers zero or above, got {item.GetRawText()}"))];
    }

    /// <summary>Inline attachments <c>[{type, content, name?, mime?, mode?, store_as_file?}]</c>; empty when absent.</summary>
    public static IReadOnlyList<Core.Attachments.AttachmentInput> Attachments(JsonElement? value, string field)
    {
        if (value is null or { ValueKind: JsonValueKind.Null })
        {
            return [];
        }

        if (value is not { ValueKind: JsonValueKind.Array } array)
        {
            throw TaskGraphException.Invalid(field, $"{field} must be an array of {{type, content}} objects");
        }

        return [.. array.EnumerateArray().Select((item, i) =>
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw TaskGraphException.Invalid(field, $"{field}[{i}] must be an object {{type, content, name?, mime?, mode?}}");
            }

            string? Text(string name) => item.TryGetProperty(name, out var v)
                ? v.ValueKind switch
                {
                    JsonValueKind.String => v.GetString(),
                    JsonValueKind.Null => null,
                    _ => throw TaskGraphException.Invalid(field, $"{field}[{i}].{name} must be a string"),
                }
                : null;

            return new Core.Attachments.AttachmentInput
            {
                Type = Text("type") ?? throw new TaskGraphException(ErrorCodes.MissingRequiredField, $"{field}[{i}].type is required") { Field = field },
                Content = Text("content") ?? throw new TaskGraphException(ErrorCodes.MissingRequiredField, $"{field}[{i}].content is required") { Field = field },
                Name = Text("name"),
                Mime = Text("mime"),
                Mode = Text("mode"),
                StoreAsFile = item.TryGetProperty("store_as_file", out var blob) && blob.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False or JsonValueKind.Null => false,
                    _ => throw TaskGraphException.Invalid(field, $"{field}[{i}].store_as_file must be a boolean"),
                },
            };
        })];
    }

    /// <summary>A log position given back by an earlier answer (a non-negative integer), or null when absent.</summary>
    public static ulong? Cursor(JsonElement? value, string field) => value switch
    {
        null or { ValueKind: JsonValueKind.Null } => null,
        { ValueKind: JsonValueKind.Number } v when v.TryGetUInt64(out var position) => position,
        _ => throw TaskGraphException.Invalid(field, $"{field} must be a non-negative integer (the cursor of a previous answer)"),
    };

    /// <summary>Priority as task-graph-mcp reads it: int or numeric string clamped to 0..10; a non-numeric string means 5.</summary>
    public static int Priority(JsonElement? value, string field = "priority")
    {
        const int DefaultPriority = 5;
        if (TryNumber(value, out var number, out var absent))
        {
            return Clamp(number, 0, 10);
        }

        return absent || value is { ValueKind: JsonValueKind.String }
            ? DefaultPriority
            : throw TaskGraphException.Invalid(field, $"{field} must be an integer 0..10");
    }

    /// <summary>A boolean (JSON true/false or the strings "true"/"false"); <paramref name="defaultValue"/> when absent.</summary>
    public static bool Bool(JsonElement? value, string field, bool defaultValue = false) => value switch
    {
        null or { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => defaultValue,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        { ValueKind: JsonValueKind.String } v when bool.TryParse(v.GetString(), out var parsed) => parsed,
        _ => throw TaskGraphException.Invalid(field, $"{field} must be true or false"),
    };

    /// <summary>The calling worker's id from <c>worker_id</c>, else the legacy <c>agent</c>; MISSING_REQUIRED_FIELD (worker_id) when both are absent and required.</summary>
    public static string? WorkerId(string? workerId, string? agent, bool required = true, int maxLength = 200) =>
        OptionalString(workerId, "worker_id", maxLength) ?? OptionalString(agent, "agent", maxLength)
        ?? (required ? throw TaskGraphException.Missing("worker_id") : null);

    /// <summary>The worker id from JSON values (see the string overload).</summary>
    public static string? WorkerId(JsonElement? workerId, JsonElement? agent, bool required = true, int maxLength = 200) =>
        OptionalString(workerId, "worker_id", maxLength) ?? OptionalString(agent, "agent", maxLength)
        ?? (required ? throw TaskGraphException.Missing("worker_id") : null);

    private static bool TryNumber(JsonElement? value, out double number, out bool absent)
    {
        number = 0;
        absent = value is null or { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined };
        return value switch
        {
            { ValueKind: JsonValueKind.Number } v => v.TryGetDouble(out number),
            { ValueKind: JsonValueKind.String } v => double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number)
                && double.IsFinite(number),
            _ => false,
        };
    }

    private static int Clamp(double number, int min, int max) => (int)Math.Clamp(Math.Truncate(number), min, max);
}
