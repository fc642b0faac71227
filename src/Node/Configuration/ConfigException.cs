namespace TaskGraph.Node.Configuration;

/// <summary>The configuration cannot be used; the message names the offending key and is safe to print as-is.</summary>
public sealed class ConfigException(string message) : Exception(message);
