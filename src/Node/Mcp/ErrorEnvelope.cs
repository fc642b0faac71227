namespace TaskGraph.Node.Mcp;

/// <summary>The JSON body of a failed tool call: <c>{code, message, field?, details?, blocked_by?, suggestion?}</c>.</summary>
public sealed record ErrorEnvelope(
    string Code,
    string Message,
    string? Field = null,
    IReadOnlyDictionary<string, object?>? Details = null,
    IReadOnlyList<string>? BlockedBy = null,
    string? Suggestion = null);
