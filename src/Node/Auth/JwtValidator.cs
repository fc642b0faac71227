using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TaskGraph.Node.Configuration;

namespace TaskGraph.Node.Auth;

/// <summary>
/// Checks a bearer JWT from an identity provider (issuer, audience, lifetime with a required <c>exp</c>, an asymmetric
/// signature by a key of the key set) and maps its claims to the same <see cref="Principal"/> a stored token gives:
/// name <c>jwt:&lt;name claim&gt;</c>, the role claim (a role of the permission table), the optional worker and tags
/// claims. Every refusal says why in words that never repeat the token.
/// </summary>
public sealed partial class JwtValidator(JwtSettings settings, JwtKeySource keys, PermissionTable roles, TimeProvider time, ILogger<JwtValidator> logger)
{
    /// <summary>What a JWT principal's name starts with (stored token names cannot hold a colon).</summary>
    public const string NamePrefix = "jwt:";

    /// <summary>
    /// The accepted signature algorithms: asymmetric only. Never <c>none</c>, and never HS*: the keys come from a
    /// public key set, and an HMAC "key" anyone can read would let anyone sign.
    /// </summary>
    public static readonly IReadOnlyList<string> Algorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384,
    ];

    private const int MaxTokenLength = 16 * 1024;
    private static readonly JsonWebTokenHandler Handler = new() { MapInboundClaims = false };

    /// <summary>The principal the JWT stands for, or why it is refused.</summary>
    public async ValueTask<(Principal? Principal, string? Problem)> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        var (principal, problem) = await CheckAsync(token, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            Refused(logger, problem);
        }

        return (principal, problem);
    }

    private async ValueTask<(Principal? Principal, string? Problem)> CheckAsync(string token, CancellationToken cancellationToken)
    {
        if (token.Length > MaxTokenLength || !Handler.CanReadToken(token))
        {
            return (null, "the bearer token is neither a TaskGraph token (tgk_...) nor a well-formed JWT");
        }

        JsonWebToken read;
        try
        {
            read = Handler.ReadJsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return (null, "the JWT is malformed");
        }

        if (read.IsEncrypted)
        {
            return (null, "encrypted JWTs (JWE) are not accepted");
        }

        if (!Algorithms.Contains(read.Alg, StringComparer.Ordinal))
        {
            return (null, $"the JWT's algorithm {Shown(read.Alg)} is not accepted (accepted: {string.Join(", ", Algorithms)})");
        }

        var candidates = keys.Keys;
        var kid = string.IsNullOrEmpty(read.Kid) ? null : read.Kid;
        if ((kid is not null && !candidates.Any(k => k.KeyId == kid)) || candidates.Count == 0)
        {
            await keys.RefreshForUnknownKeyAsync(cancellationToken).ConfigureAwait(false);
            candidates = keys.Keys;
        }

        if (candidates.Count == 0)
        {
            return (null, $"no signing keys are loaded yet (the key set at {keys.Url} could not be fetched: {keys.LastProblem ?? "not fetched yet"})");
        }

        if (kid is not null)
        {
            candidates = [.. candidates.Where(k => k.KeyId == kid)];
            if (candidates.Count == 0)
            {
                return (null, "the JWT is signed with an unknown key (its kid is not in the key set)");
            }
        }

        var parameters = new TokenValidationParameters
        {
            ValidIssuer = settings.Issuer,
            ValidAudience = settings.Audience,
            IssuerSigningKeys = candidates,
            TryAllIssuerSigningKeys = true,
            ValidAlgorithms = Algorithms,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = settings.ClockSkew,
            LifetimeValidator = ValidateLifetime,
        };
        var result = await Handler.ValidateTokenAsync(read, parameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return (null, Explain(result.Exception));
        }

        return Map((JsonWebToken)result.SecurityToken);
    }

    // Our own check only so that "now" comes from the injected clock; the rules are the library's (exp required, skew).
    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (expires is not { } exp)
        {
            throw new SecurityTokenNoExpirationException("The token has no expiration time.");
        }

        if (notBefore is { } nbf && nbf > now + settings.ClockSkew)
        {
            throw new SecurityTokenNotYetValidException("The token is not valid yet.") { NotBefore = nbf };
        }

        if (exp < now - settings.ClockSkew)
        {
            throw new SecurityTokenExpiredException("The token has expired.") { Expires = exp };
        }

        return true;
    }

    private (Principal? Principal, string? Problem) Map(JsonWebToken jwt)
    {
        var names = Values(jwt, settings.NameClaim);
        if (names.Count != 1 || names[0].Length == 0)
        {
            return (null, $"the JWT needs exactly one '{settings.NameClaim}' claim (it names the principal)");
        }

        var role = Values(jwt, settings.RoleClaim);
        if (role.Count == 0)
        {
            return (null, $"the JWT has no '{settings.RoleClaim}' claim; it must name a role ({string.Join(", ", roles.Roles.Order(StringComparer.Ordinal))})");
        }

        if (role.Count > 1 || !roles.HasRole(role[0]))
        {
            return (null, $"the JWT's '{settings.RoleClaim}' claim {Shown(string.Join(",", role))} is not a role of this node ({string.Join(", ", roles.Roles.Order(StringComparer.Ordinal))})");
        }

        var worker = Values(jwt, settings.WorkerClaim);
        if (worker.Count > 1 || worker is [{ Length: 0 }])
        {
            return (null, $"the JWT's '{settings.WorkerClaim}' claim must be one worker id");
        }

        // A string or an array; a string may list several tags (comma- or space-separated, like an OAuth scope).
        var tags = Values(jwt, settings.TagsClaim)
            .SelectMany(t => t.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return (new Principal(NamePrefix + names[0], role[0], worker is [var id] ? id : null, tags.Count == 0 ? null : tags), null);
    }

    private string Explain(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException expired => $"the JWT has expired (exp {expired.Expires:yyyy-MM-ddTHH:mm:ssZ})",
        SecurityTokenNotYetValidException early => $"the JWT is not valid yet (nbf {early.NotBefore:yyyy-MM-ddTHH:mm:ssZ})",
        SecurityTokenNoExpirationException => "the JWT has no exp claim (an expiry is required)",
        SecurityTokenInvalidLifetimeException => "the JWT's lifetime (nbf, exp) is invalid",
        SecurityTokenInvalidIssuerException => $"the JWT has the wrong issuer (expected '{settings.Issuer}')",
        SecurityTokenInvalidAudienceException => $"the JWT has the wrong audience (expected '{settings.Audience}')",
        SecurityTokenInvalidAlgorithmException => $"the JWT's algorithm is not accepted (accepted: {string.Join(", ", Algorithms)})",

        // Key not found here means no key of the kid (or, without a kid, of the set) verifies it: a bad signature.
        SecurityTokenInvalidSignatureException => "the JWT has a bad signature (no key of the key set verifies it)",
        SecurityTokenMalformedException or ArgumentException => "the JWT is malformed",
        _ => "the JWT is invalid",
    };

    private static List<string> Values(JsonWebToken jwt, string claim) =>
        [.. jwt.Claims.Where(c => c.Type == claim).Select(c => c.Value.Trim())];

    // Header and claim values are short, but they come from the caller: show them only when they look harmless.
    private static string Shown(string? value) =>
        value is { Length: > 0 and <= 64 } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ',' or ':' or '@')
            ? $"'{value}'"
            : "(not shown)";

    [LoggerMessage(EventId = 3062, Level = LogLevel.Debug, Message = "JWT refused: {Problem}")]
    private static partial void Refused(ILogger logger, string problem);
}
