
namespace TaskGraph.Tests.Rules.Ids;

/// <summary>The generated-id race on three runtimes over one SQLite file.</summary>
[Trait("Lane", "fast")]
public sealed class SqliteGeneratedIdRaceTests(ITestOutputHelper output) : GeneratedIdRaceTests(output)
{
    /// <inheritdoc />
    protected override RulesBackend Backend => RulesBackend.Sqlite;
}
