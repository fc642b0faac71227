namespace TaskGraph.Tests.Rules.Dependencies;

/// <summary>The concurrent link suite on several store instances over one SQLite file.</summary>
[Trait("Lane", "fast")]
public sealed class SqliteConcurrentLinkTests : ConcurrentLinkTests
{
    /// <inheritdoc />
    protected override RulesBackend Backend => RulesBackend.Sqlite;
}
