namespace TaskGraph.Node.Configuration;

/// <summary>
/// Resolves secret references in config values: <c>${env:NAME}</c> reads an environment variable, <c>${file:PATH}</c>
/// the first line of a file. Secrets are referenced, never written in plain YAML.
/// </summary>
public static class SecretReference
{
    /// <summary>True when the value is a reference rather than a literal.</summary>
    public static bool IsReference(string value) =>
        value.StartsWith("${env:", StringComparison.Ordinal) || value.StartsWith("${file:", StringComparison.Ordinal);

    /// <summary>The referenced secret; a problem (naming <paramref name="path"/>) when it cannot be read.</summary>
    public static string? Resolve(string? value, string path, IReadOnlyDictionary<string, string> environment, ConfigReader reader)
    {
        if (value is null || !IsReference(value))
        {
            return value;
        }

        if (!value.EndsWith('}'))
        {
            reader.Problem(path, $"malformed secret reference '{value}' (use ${{env:NAME}} or ${{file:PATH}})");
            return null;
        }

        var inner = value[2..^1];
        var colon = inner.IndexOf(':', StringComparison.Ordinal);
        var (kind, target) = (inner[..colon], inner[(colon + 1)..]);
        if (kind == "env")
        {
            if (environment.TryGetValue(target, out var found) && !string.IsNullOrEmpty(found))
            {
                return found;
            }

            reader.Problem(path, $"environment variable {target} is not set");
            return null;
        }

        try
        {
            return File.ReadLines(target).FirstOrDefault()?.Trim() ?? string.Empty;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            reader.Problem(path, $"cannot read secret file: {ex.GetType().Name}");
            return null;
        }
    }
}
