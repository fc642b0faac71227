using System.Text.Json.Serialization;

namespace TaskGraph.Core.Records;

/// <summary>
/// Who caused a write, carried in the written record itself (<c>audit</c>), so the audit trail is the store's own log
/// with no second write: the principal (a token name, or <c>stdio</c>), the tool, and a digest of its arguments. The
/// transport sets it around a call (<see cref="Begin"/>); every record written inside carries it.
/// </summary>
public sealed record AuditStamp
{
    private static readonly AsyncLocal<AuditStamp?> Ambient = new();

    /// <summary>The token name, or <c>stdio</c> for a local trusted caller.</summary>
    [JsonPropertyName("principal")]
    public required string Principal { get; init; }

    /// <summary>The principal's role, when a token stood behind the call.</summary>
    [JsonPropertyName("role")]
    public string? Role { get; init; }

    /// <summary>The tool that made the write.</summary>
    [JsonPropertyName("tool")]
    public required string Tool { get; init; }

    /// <summary>The first 16 hex digits of the SHA-256 of the call's arguments.</summary>
    [JsonPropertyName("digest")]
    public string? Digest { get; init; }

    /// <summary>The stamp of the call running on this async flow, if any.</summary>
    public static AuditStamp? Current => Ambient.Value;

    /// <summary>Stamps every write of this async flow until the returned scope is disposed.</summary>
    public static IDisposable Begin(AuditStamp stamp)
    {
        var previous = Ambient.Value;
        Ambient.Value = stamp;
        return new Scope(previous);
    }

    private sealed class Scope(AuditStamp? previous) : IDisposable
    {
        public void Dispose() => Ambient.Value = previous;
    }
}
