namespace TaskGraph.Tests.Rules.Dependencies;

/// <summary>The link races on several store instances over one SQLite file.</summary>
[Trait("Lane", "fast")]
public sealed class SqliteDependencyRaceTests : DependencyRaceTests
{
    /// <inheritdoc />
    protected override RulesBackend Backend => RulesBackend.Sqlite;
}
