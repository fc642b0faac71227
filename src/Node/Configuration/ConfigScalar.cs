namespace TaskGraph.Node.Configuration;

/// <summary>A scalar config value with where it came from (file and line, environment variable or CLI option).</summary>
public sealed record ConfigScalar(string? Value, string Origin)
{
    /// <summary>True for YAML null (<c>~</c>, <c>null</c> or an empty plain value).</summary>
    public bool IsNull => Value is null;
}
