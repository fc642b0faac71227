namespace TaskGraph.Tests.Node.Http;

/// <summary>The role x tool matrix on one SQLite node, the roles' clients on the default (2026-07-28) protocol.</summary>
public sealed class SqliteRoleMatrixTests(HttpNodeFixture fixture) : RoleMatrixTests(fixture), IClassFixture<HttpNodeFixture>;
