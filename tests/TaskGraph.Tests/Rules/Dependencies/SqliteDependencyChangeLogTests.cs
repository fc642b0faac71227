namespace TaskGraph.Tests.Rules.Dependencies;

/// <summary>The edge change log on several store instances over one SQLite file.</summary>
[Trait("Lane", "fast")]
public sealed class SqliteDependencyChangeLogTests : DependencyChangeLogTests
{
    /// <inheritdoc />
    protected override RulesBackend Backend => RulesBackend.Sqlite;
}
