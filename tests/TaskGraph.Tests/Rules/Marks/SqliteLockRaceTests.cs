namespace TaskGraph.Tests.Rules.Marks;

/// <summary>The lock races on several store instances over one SQLite file.</summary>
[Trait("Lane", "fast")]
public sealed class SqliteLockRaceTests : LockRaceTests
{
    /// <inheritdoc />
    protected override RulesBackend Backend => RulesBackend.Sqlite;
}
