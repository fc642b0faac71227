using System.Globalization;

namespace TaskGraph.Node.Configuration;

/// <summary>
/// Reads typed values out of a <see cref="ConfigTree"/> map. Unknown keys are simply never read; a known key with the
/// wrong type is recorded as a problem naming its full key path (and where the value came from).
/// </summary>
public sealed class ConfigReader(string? prefix = null)
{
    private readonly List<string> _problems = [];

    /// <summary>Problems found so far, each naming its key.</summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>Records a problem for a key path.</summary>
    public void Problem(string path, string message) => _problems.Add($"{Prefix}{path}: {message}");

    /// <summary>A child map, or null when absent or null.</summary>
    public Dictionary<string, object?>? Map(Dictionary<string, object?>? parent, string key, string path)
    {
        var node = Get(parent, key);
        switch (node)
        {
            case null:
                return null;
            case Dictionary<string, object?> map:
                return map;
            default:
                Problem(path, $"expected a map, got {Describe(node)}");
                return null;
        }
    }

    /// <summary>A string, or null when absent or null.</summary>
    public string? Text(Dictionary<string, object?>? parent, string key, string path)
    {
        var node = Get(parent, key);
        switch (node)
        {
            case null:
                return null;
            case ConfigScalar scalar:
                return scalar.Value;
            default:
                Problem(path, $"expected a string, got {Describe(node)}");
                return null;
        }
    }

    /// <summary>A string that must be one of <paramref name="allowed"/>.</summary>
    public string? Choice(Dictionary<string, object?>? parent, string key, string path, params string[] allowed)
    {
        var value = Text(parent, key, path);
        if (value is not null && !allowed.Contains(value, StringComparer.Ordinal))
        {
            Problem(path, $"expected one of {string.Join(", ", allowed)}, got '{value}'{Origin(parent, key)}");
            return null;
        }

        return value;
    }

    /// <summary>An integer, or null when absent or null.</summary>
    public int? WholeNumber(Dictionary<string, object?>? parent, string key, string path)
    {
        var node = Get(parent, key);
        switch (node)
        {
            case null:
                return null;
            case ConfigScalar scalar when int.TryParse(scalar.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value):
                return value;
            default:
                Problem(path, $"expected an integer, got {Describe(node)}{Origin(parent, key)}");
                return null;
        }
    }

    /// <summary>A boolean (true/false, yes/no, on/off), or null when absent or null.</summary>
    public bool? Bool(Dictionary<string, object?>? parent, string key, string path)
    {
        var node = Get(parent, key);
        switch (node)
        {
            case null:
                return null;
            case ConfigScalar scalar when scalar.Value?.ToLowerInvariant() is "true" or "yes" or "on":
                return true;
            case ConfigScalar scalar when scalar.Value?.ToLowerInvariant() is "false" or "no" or "off":
                return false;
            default:
                Problem(path, $"expected true or false, got {Describe(node)}{Origin(parent, key)}");
                return null;
        }
    }

    /// <summary>A list of strings, or null when absent or null.</summary>
    public IReadOnlyList<string>? StringList(Dictionary<string, object?>? parent, string key, string path)
    {
        var node = Get(parent, key);
        switch (node)
        {
            case null:
                return null;
            case List<object?> list:
                var result = new List<string>(list.Count);
                foreach (var item in list)
                {
                    if (item is ConfigScalar { Value: { } text })
                    {
                        result.Add(text);
                    }
                    else
                    {
                        Problem(path, $"expected a list of strings, got an item that is {Describe(item)}");
                        return null;
                    }
                }

                return result;
            default:
                Problem(path, $"expected a list, got {Describe(node)}{Origin(parent, key)}");
                return null;
        }
    }

    /// <summary>Throws a <see cref="ConfigException"/> listing every problem, if there are any.</summary>
    public void ThrowIfProblems()
    {
        if (_problems.Count > 0)
        {
            throw new ConfigException(string.Join("; ", _problems));
        }
    }

    private string Prefix => prefix is null ? string.Empty : prefix + ": ";

    // A YAML null reads as absent, so the built-in default (the lowest tier) applies.
    private static object? Get(Dictionary<string, object?>? parent, string key) =>
        parent?.GetValueOrDefault(key) is var node and not ConfigScalar { IsNull: true } ? node : null;

    private static string Origin(Dictionary<string, object?>? parent, string key) =>
        parent?.GetValueOrDefault(key) is ConfigScalar scalar ? $" (from {scalar.Origin})" : string.Empty;

    private static string Describe(object? node) => node switch
    {
        ConfigScalar { Value: var v } => $"'{v}'",
        Dictionary<string, object?> => "a map",
        List<object?> => "a list",
        _ => "nothing",
    };
}
