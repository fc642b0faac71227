namespace TaskGraph.Tests.Node.Http;

/// <summary>
/// Where a role-matrix test runs: the node its tokens are created with and its admin checks the graph on
/// (<see cref="Setup"/>), and the node the role's own client calls (<see cref="Acting"/>), with the protocol revision
/// that client speaks (null: the client's default, 2026-07-28 stateless; "2025-06-18": a session).
/// </summary>
internal interface IRoleMatrixNodes
{
    /// <summary>The node tokens are created for and the admin session is on.</summary>
    HttpNode Setup { get; }

    /// <summary>The node the role's client calls.</summary>
    HttpNode Acting { get; }

    /// <summary>An admin session on <see cref="Setup"/>.</summary>
    HttpMcpSession Admin { get; }

    /// <summary>The protocol revision of the role's client.</summary>
    string? ActingProtocol { get; }
}
