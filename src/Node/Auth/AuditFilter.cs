using System.Security.Cryptography;
using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using TaskGraph.Core.Records;

namespace TaskGraph.Node.Auth;

/// <summary>
/// Stamps every write a tool call makes with who made it (<see cref="AuditStamp"/>): the token's name and role over
/// HTTP, <c>stdio</c> for a local caller; the tool; and a digest of the arguments as the tool received them (after a
/// bound token's identity was filled in). Registered inside <see cref="AuthorizationFilter"/>.
/// </summary>
public static class AuditFilter
{
    /// <summary>The principal name of calls without a token (stdio, or HTTP with auth off).</summary>
    public const string LocalPrincipal = "stdio";

    /// <summary>The filter, for <c>WithRequestFilters(f =&gt; f.AddCallToolFilter(AuditFilter.Create))</c>.</summary>
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> Create(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        async (request, cancellationToken) =>
        {
            if (request.Params is not { } call)
            {
                return await next(request, cancellationToken);
            }

            var principal = Principal.From(request.User);
            var stamp = new AuditStamp
            {
                Principal = principal?.Name ?? LocalPrincipal,
                Role = principal?.Role,
                Tool = call.Name,
                Digest = Digest(call.Arguments),
            };
            using (AuditStamp.Begin(stamp))
            {
                return await next(request, cancellationToken);
            }
        };

    private static string Digest(IDictionary<string, JsonElement>? arguments)
    {
        var ordered = (arguments ?? new Dictionary<string, JsonElement>()).OrderBy(a => a.Key, StringComparer.Ordinal).ToDictionary(a => a.Key, a => a.Value);
        return Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(ordered)))[..16];
    }
}
