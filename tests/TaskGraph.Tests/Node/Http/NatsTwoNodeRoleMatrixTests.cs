namespace TaskGraph.Tests.Node.Http;

/// <summary>
/// The role x tool matrix on two nodes sharing one nats-server: tokens made with node A's store, the roles' clients on
/// node B with 2025-06-18 sessions, the admin's before-and-after reads on node A.
/// </summary>
public sealed class NatsTwoNodeRoleMatrixTests(TwoNatsNodesFixture fixture) : RoleMatrixTests(fixture), IClassFixture<TwoNatsNodesFixture>;
