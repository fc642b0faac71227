namespace TaskGraph.Tests.Rules.Leases;

/// <summary>Lease expiry across three store instances over one SQLite file.</summary>
[Trait("Lane", "fast")]
public sealed class SqliteLeaseExpiryAcrossNodesTests : LeaseExpiryAcrossNodesTests
{
    /// <inheritdoc />
    protected override RulesBackend Backend => RulesBackend.Sqlite;
}
