namespace TaskGraph.Tests.Rules.Leases;

/// <summary>Fenced late writes on several store instances over one SQLite file.</summary>
[Trait("Lane", "fast")]
public sealed class SqliteFencedLateWriteTests : FencedLateWriteTests
{
    /// <inheritdoc />
    protected override RulesBackend Backend => RulesBackend.Sqlite;
}
