namespace TaskGraph.Tests.Rules.History;

/// <summary>Invariant 5 with three read models over one SQLite file.</summary>
[Trait("Lane", "fast")]
public sealed class SqliteCommitOrderHistoryTests : CommitOrderHistoryTests
{
    /// <inheritdoc />
    protected override RulesBackend Backend => RulesBackend.Sqlite;
}
