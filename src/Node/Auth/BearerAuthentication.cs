using TaskGraph.Core.Errors;
using TaskGraph.Core.Storage;

namespace TaskGraph.Node.Auth;

/// <summary>
/// Turns <c>Authorization: Bearer &lt;secret&gt;</c> into the request's user (a <see cref="Principal"/>), or answers 401
/// with a <c>WWW-Authenticate</c> challenge that names the protected-resource metadata (RFC 9728), as MCP clients expect.
/// A secret starting with <c>tgk_</c> is looked up in the <see cref="TokenStore"/>; any other one, when
/// <c>server.auth.jwt</c> is set, is checked as a JWT by <paramref name="jwt"/>.
/// </summary>
public sealed class BearerAuthentication(TokenStore tokens, JwtValidator? jwt = null)
{
    /// <summary>The metadata document's path.</summary>
    public const string MetadataPath = "/.well-known/oauth-protected-resource";

    /// <summary>
    /// Authenticates the request; false when a 401 was written. <paramref name="resourcePath"/> (for example
    /// <c>/mcp/beta</c>) makes the challenge name that resource's own metadata document (RFC 9728 section 3.1).
    /// </summary>
    public async Task<bool> AuthenticateAsync(HttpContext context, string? resourcePath = null)
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
        else
        {
            var presented = header[7..].Trim();
            Principal? principal;
            if (jwt is null || presented.StartsWith(TokenStore.SecretPrefix, StringComparison.Ordinal))
            {
                try
                {
                    principal = await tokens.AuthenticateAsync(presented, context.RequestAborted);
                }
                catch (StoreUnavailableException ex)
                {
                    // The token cannot be checked now: say so (503, retry later), never a 500 or a wrongful 401.
                    context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                    context.Response.Headers.RetryAfter = "5";
                    var code = ex is HubUnreachableException ? ErrorCodes.HubUnreachable : ErrorCodes.StoreUnavailable;
                    await context.Response.WriteAsJsonAsync(
                        new Dictionary<string, string> { ["code"] = code, ["message"] = "the token store cannot be reached right now, so the token cannot be checked; retry shortly" },
                        context.RequestAborted);
                    return false;
                }

                problem = principal is null ? "the token is unknown, revoked or expired" : null;
            }
            else
            {
                (principal, problem) = await jwt.ValidateAsync(presented, context.RequestAborted);
            }

            if (principal is not null)
            {
                context.User = principal.ToClaims();
                return true;
            }
        }

        var metadata = $"{context.Request.Scheme}://{context.Request.Host}{MetadataPath}{resourcePath}";
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        // RFC 6750: error="invalid_token" only when a token was presented.
        var error = header.Length == 0 ? string.Empty : "error=\"invalid_token\", ";
        context.Response.Headers.WWWAuthenticate = $"Bearer {error}resource_metadata=\"{metadata}\"";
        await context.Response.WriteAsJsonAsync(new Dictionary<string, string> { ["code"] = "UNAUTHENTICATED", ["message"] = problem ?? "the token is invalid" }, context.RequestAborted);
        return false;
    }
}
