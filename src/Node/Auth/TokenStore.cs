using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Storage;

namespace TaskGraph.Node.Auth;

/// <summary>
/// Bearer tokens kept in the graph's own store (SQLite or NATS), so every node sharing the store knows a new token at
/// once and a revoke holds everywhere within <see cref="CacheFor"/>. The store holds a SHA-256 of each secret, never the
/// secret; a token's key is that hash, so checking a request is one read.
/// </summary>
public sealed class TokenStore(IRecordStore store, TimeProvider time)
{
    /// <summary>What every secret starts with (so it is recognisable in a leaked log).</summary>
    public const string SecretPrefix = "tgk_";

    /// <summary>How long an answer for one secret is reused before the store is asked again.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromMilliseconds(500);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly ConcurrentDictionary<string, (Principal? Principal, DateTimeOffset Until, DateTimeOffset? Expires)> _cache = new(StringComparer.Ordinal);

    /// <summary>Stores a new token and returns its secret (shown once).</summary>
    public async Task<string> CreateAsync(string name, string role, string? workerId, IReadOnlyList<string>? tags, TimeSpan? expiresIn, CancellationToken cancellationToken)
    {
        var secret = NewSecret();
        await CreateAsync(secret, name, role, workerId, tags, expiresIn, cancellationToken).ConfigureAwait(false);
        return secret;
    }

    /// <summary>A fresh random secret: <c>tgk_</c> and 256 random bits, URL-safe.</summary>
    public static string NewSecret() =>
        SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Whether a token of that name exists (revoked ones do not).</summary>
    public async Task<bool> ExistsAsync(string name, CancellationToken cancellationToken) =>
        (await ListAsync(cancellationToken).ConfigureAwait(false)).Any(t => t.Name == name);

    /// <summary>Stores a token for a given secret (one secret may open several graphs, each keeping its own copy).</summary>
    public async Task CreateAsync(string secret, string name, string role, string? workerId, IReadOnlyList<string>? tags, TimeSpan? expiresIn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (await ExistsAsync(name, cancellationToken).ConfigureAwait(false))
        {
            throw new TaskGraphException(ErrorCodes.AlreadyExists, $"A token named '{name}' already exists; revoke it first or choose another name.") { Field = "name" };
        }

        var now = time.GetUtcNow();
        var record = new TokenRecord
        {
            Name = name,
            Role = role,
            WorkerId = workerId,
            Tags = tags is { Count: > 0 } ? tags : null,
            CreatedAt = now,
            ExpiresAt = expiresIn is { } e ? now + e : null,
        };
        await store.CreateAsync(KeyOf(secret), JsonSerializer.SerializeToUtf8Bytes(record, Json), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every stored token (expired ones too), by name.</summary>
    public async Task<IReadOnlyList<TokenRecord>> ListAsync(CancellationToken cancellationToken)
    {
        var entries = await store.ListAsync(RecordKeys.TokenPrefix, cancellationToken).ConfigureAwait(false);
        return [.. entries.Select(e => Parse(e.Value)).OfType<TokenRecord>().OrderBy(t => t.Name, StringComparer.Ordinal)];
    }

    /// <summary>Removes the token named <paramref name="name"/>; false when there is none.</summary>
    public async Task<bool> RevokeAsync(string name, CancellationToken cancellationToken)
    {
        var entries = await store.ListAsync(RecordKeys.TokenPrefix, cancellationToken).ConfigureAwait(false);
        var found = false;
        foreach (var entry in entries.Where(e => Parse(e.Value)?.Name == name))
        {
            await store.DeleteAsync(entry.Key, entry.Revision, cancellationToken).ConfigureAwait(false);
            found = true;
        }

        return found;
    }

    /// <summary>The principal a secret stands for, or null when it is unknown, revoked or expired.</summary>
    public async ValueTask<Principal?> AuthenticateAsync(string secret, CancellationToken cancellationToken)
    {
        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal) || secret.Length > 200)
        {
            return null;
        }

        var key = KeyOf(secret);
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(key, out var cached) && cached.Until > now)
        {
            return cached.Principal;
        }

        RecordEntry? entry;
        try
        {
            entry = await store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (HubUnreachableException) when (cached.Until != default && (cached.Expires is null || cached.Expires > now))
        {
            // An edge node cut off from its hub keeps the hub's last answer for a token it has seen (a revoke made on
            // the hub meanwhile holds here once the link is back); a token it has never seen cannot be checked.
            return cached.Principal;
        }

        var record = entry is null ? null : Parse(entry.Value);
        var principal = record is null || record.ExpiresAt <= now
            ? null
            : new Principal(record.Name, record.Role, record.WorkerId, record.Tags);
        var until = now + CacheFor;
        if (record?.ExpiresAt is { } expires && expires < until)
        {
            until = expires;
        }

        _cache[key] = (principal, until, record?.ExpiresAt);
        if (_cache.Count > 10_000)
        {
            _cache.Clear();
        }

        return principal;
    }

    /// <summary>Parses a duration like <c>30d</c>, <c>12h</c>, <c>90m</c> or <c>45s</c>; null when it is not one.</summary>
    public static TimeSpan? ParseDuration(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length < 2 || !long.TryParse(text.AsSpan(0, text.Length - 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) || n <= 0)
        {
            return null;
        }

        return text[^1] switch
        {
            'd' => TimeSpan.FromDays(n),
            'h' => TimeSpan.FromHours(n),
            'm' => TimeSpan.FromMinutes(n),
            's' => TimeSpan.FromSeconds(n),
            _ => null,
        };
    }

    private static string KeyOf(string secret) =>
        RecordKeys.TokenPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static TokenRecord? Parse(ReadOnlyMemory<byte> value)
    {
        try
        {
            return JsonSerializer.Deserialize<TokenRecord>(value.Span, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
