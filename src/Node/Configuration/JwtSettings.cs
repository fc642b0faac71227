using Microsoft.IdentityModel.Tokens;

namespace TaskGraph.Node.Configuration;

/// <summary>
/// <c>server.auth.jwt</c>: bearer JWTs from an identity provider, checked against its issuer, the node's audience and
/// the provider's public keys (a JWKS file read at load, or a JWKS URL fetched at start and refreshed).
/// </summary>
public sealed record JwtSettings
{
    /// <summary>The default <c>role_claim</c>.</summary>
    public const string DefaultRoleClaim = "taskgraph_role";

    /// <summary>The default <c>worker_claim</c>.</summary>
    public const string DefaultWorkerClaim = "taskgraph_worker";

    /// <summary>The default <c>tags_claim</c>.</summary>
    public const string DefaultTagsClaim = "taskgraph_tags";

    /// <summary>The default <c>name_claim</c>.</summary>
    public const string DefaultNameClaim = "sub";

    /// <summary><c>issuer</c>: the <c>iss</c> every token must carry.</summary>
    public required string Issuer { get; init; }

    /// <summary><c>audience</c>: a value the token's <c>aud</c> must hold.</summary>
    public required string Audience { get; init; }

    /// <summary><c>jwks_file</c>: where the keys were read from (null with a URL).</summary>
    public string? JwksFile { get; init; }

    /// <summary><c>jwks_url</c>: where the keys are fetched from (null with a file).</summary>
    public Uri? JwksUrl { get; init; }

    /// <summary>The signing keys of <see cref="JwksFile"/>, read and checked when the config was loaded.</summary>
    public IReadOnlyList<SecurityKey> FileKeys { get; init; } = [];

    /// <summary><c>role_claim</c>: the claim naming a role of the permission table.</summary>
    public string RoleClaim { get; init; } = DefaultRoleClaim;

    /// <summary><c>worker_claim</c>: the optional claim binding the token to a worker id.</summary>
    public string WorkerClaim { get; init; } = DefaultWorkerClaim;

    /// <summary><c>tags_claim</c>: the optional claim holding the tag scope (a string or an array).</summary>
    public string TagsClaim { get; init; } = DefaultTagsClaim;

    /// <summary><c>name_claim</c>: the claim that names the principal (<c>jwt:&lt;value&gt;</c>).</summary>
    public string NameClaim { get; init; } = DefaultNameClaim;

    /// <summary><c>clock_skew_seconds</c>: the tolerance on <c>exp</c> and <c>nbf</c>.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(30);
}
