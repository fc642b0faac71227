namespace TaskGraph.Core.Configuration;

/// <summary>Attachment types (<c>attachments.definitions</c>) and what an unknown type gets (<c>attachments.unknown_key</c>).</summary>
public sealed record AttachmentSettings
{
    /// <summary>allow, warn (default: attached, with a warning) or reject (refused).</summary>
    public string UnknownKey { get; init; } = "warn";

    /// <summary>Known types with their default MIME type and mode.</summary>
    public IReadOnlyDictionary<string, AttachmentTypeDefinition> Definitions { get; init; } = Defaults();

    /// <summary>The catalogue's built-in types.</summary>
    public static IReadOnlyDictionary<string, AttachmentTypeDefinition> Defaults() => new Dictionary<string, AttachmentTypeDefinition>(StringComparer.Ordinal)
    {
        ["commit"] = new("text/git.hash", "append"),
        ["checkin"] = new("text/p4.changelist", "append"),
        ["meta"] = new("application/json", "replace"),
        ["note"] = new("text/plain", "append"),
        ["log"] = new("text/plain", "append"),
        ["error"] = new("text/plain", "append"),
        ["output"] = new("text/plain", "append"),
        ["changelist"] = new("text/plain", "append"),
        ["diff"] = new("text/x-diff", "append"),
        ["plan"] = new("text/markdown", "replace"),
        ["result"] = new("application/json", "replace"),
        ["context"] = new("text/plain", "replace"),
        ["gate/tests"] = new("text/plain", "append"),
        ["gate/commit"] = new("text/plain", "append"),
        ["gate/review"] = new("text/plain", "append"),
    };
}
