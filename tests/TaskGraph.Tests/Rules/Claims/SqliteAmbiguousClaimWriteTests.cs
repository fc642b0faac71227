namespace TaskGraph.Tests.Rules.Claims;

/// <summary>Ambiguous claim writes over a SQLite file.</summary>
[Trait("Lane", "fast")]
public sealed class SqliteAmbiguousClaimWriteTests : AmbiguousClaimWriteTests
{
    /// <inheritdoc />
    protected override RulesBackend Backend => RulesBackend.Sqlite;
}
