using System.Text.Json.Serialization;

namespace TaskGraph.Node.Auth;

/// <summary>
/// A bearer token as the store keeps it, under <c>token.&lt;sha-256 of the secret&gt;</c>: never the secret itself.
/// </summary>
public sealed record TokenRecord
{
    /// <summary>The record's schema version.</summary>
    public const int CurrentFormat = 1;

    /// <summary>Schema version.</summary>
    [JsonPropertyName("format")]
    public int Format { get; init; } = CurrentFormat;

    /// <summary>The token's unique name (what <c>token revoke</c> takes and audit names).</summary>
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary>The role it grants.</summary>
    [JsonPropertyName("role")]
    public required string Role { get; init; }

    /// <summary>The worker id it acts as, if bound.</summary>
    [JsonPropertyName("worker_id")]
    public string? WorkerId { get; init; }

    /// <summary>The tag scope, if any.</summary>
    [JsonPropertyName("tags")]
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>When it stops being accepted, if ever.</summary>
    [JsonPropertyName("expires_at")]
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>The graph it was listed from (<c>token list</c> only; a stored token opens the graph it is stored in).</summary>
    [JsonPropertyName("graph")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Graph { get; init; }

    /// <summary>When it was created.</summary>
    [JsonPropertyName("created_at")]
    public DateTimeOffset CreatedAt { get; init; }
}
