namespace TaskGraph.Tests.Rules.Leases;

/// <summary>Volatile liveness on two store instances over one SQLite file (the <c>live</c> table, outside the change log).</summary>
[Trait("Lane", "fast")]
public sealed class SqliteVolatileLivenessTests : VolatileLivenessTests
{
    /// <inheritdoc />
    protected override RulesBackend Backend => RulesBackend.Sqlite;
}
