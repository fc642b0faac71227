using ModelContextProtocol;

namespace TaskGraph.Node.Resources;

/// <summary>The answer to a templated URI that names nothing: the protocol's resource-not-found error.</summary>
internal static class UnknownResource
{
    /// <summary>The error for <paramref name="uri"/>; the SDK sends the code newer protocol versions expect for it.</summary>
    public static McpProtocolException For(string uri) => new($"Unknown resource: {uri}", McpErrorCode.ResourceNotFound);
}
