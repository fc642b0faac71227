using Microsoft.AspNetCore.Http;

namespace TaskGraph.Node.Auth;

/// <summary>
/// Turns <c>Authorization: Bearer &lt;secret&gt;</c> into the request's user (a <see cref="Principal"/>), or answers 401
/// with a <c>WWW-Authenticate</c> challenge that names the protected-resource metadata (RFC 9728), as MCP clients expect.
/// </summary>
public sealed class BearerAuthentication(TokenStore tokens)
{
    /// <summary>The metadata document's path.</summary>
    public const string MetadataPath = "/.well-known/oauth-protected-resource";

    /// <summary>Authenticates the request; false when a 401 was written.</summary>
    public async Task<bool> AuthenticateAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var header = context.Request.Headers.Authorization.ToString();
        string? problem;
        if (header.Length == 0)
        {
            problem = "a bearer token is required (Authorization: Bearer <token>; create one with `taskgraph token create`)";
        }
        else if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            problem = "the Authorization header must be 'Bearer <token>'";
        }
        else if (await tokens.AuthenticateAsync(header[7..].Trim(), context.RequestAborted) is { } principal)
        {
            context.User = principal.ToClaims();
            return true;
        }
        else
        {
            problem = "the token is unknown, revoked or expired";
        }

        var metadata = $"{context.Request.Scheme}://{context.Request.Host}{MetadataPath}";
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        // RFC 6750: error="invalid_token" only when a token was presented.
        var error = header.Length == 0 ? string.Empty : "error=\"invalid_token\", ";
        context.Response.Headers.WWWAuthenticate = $"Bearer {error}resource_metadata=\"{metadata}\"";
        await context.Response.WriteAsJsonAsync(new Dictionary<string, string> { ["code"] = "UNAUTHENTICATED", ["message"] = problem }, context.RequestAborted);
        return false;
    }
}
