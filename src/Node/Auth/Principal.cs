using System.Security.Claims;

namespace TaskGraph.Node.Auth;

/// <summary>Who a request acts as: a token's name and role, and the worker id it is bound to, if any.</summary>
public sealed record Principal(string Name, string Role, string? WorkerId = null, IReadOnlyList<string>? Tags = null)
{
    private const string AuthenticationType = "taskgraph-token";
    private const string RoleClaim = "taskgraph:role";
    private const string WorkerClaim = "taskgraph:worker";
    private const string TagClaim = "taskgraph:tag";

    /// <summary>As claims, for <c>HttpContext.User</c> (the MCP SDK hands it to every message of the request or session).</summary>
    public ClaimsPrincipal ToClaims()
    {
        // NameIdentifier: the SDK binds a session to its user and refuses a session user without one.
        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, "token:" + Name), new(ClaimTypes.Name, Name), new(RoleClaim, Role) };
        if (WorkerId is not null)
        {
            claims.Add(new Claim(WorkerClaim, WorkerId));
        }

        claims.AddRange((Tags ?? []).Select(t => new Claim(TagClaim, t)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, AuthenticationType, ClaimTypes.Name, RoleClaim));
    }

    /// <summary>The principal a token authenticated, or null for an unauthenticated user (stdio, or auth off).</summary>
    public static Principal? From(ClaimsPrincipal? user)
    {
        var identity = user?.Identities.FirstOrDefault(i => i.AuthenticationType == AuthenticationType);
        if (identity?.FindFirst(ClaimTypes.Name)?.Value is not { } name || identity.FindFirst(RoleClaim)?.Value is not { } role)
        {
            return null;
        }

        var tags = identity.FindAll(TagClaim).Select(c => c.Value).ToList();
        return new Principal(name, role, identity.FindFirst(WorkerClaim)?.Value, tags.Count == 0 ? null : tags);
    }
}
