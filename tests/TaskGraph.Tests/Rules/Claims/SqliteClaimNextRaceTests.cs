
namespace TaskGraph.Tests.Rules.Claims;

/// <summary>The claim-next race on three runtimes over one SQLite file.</summary>
[Trait("Lane", "fast")]
public sealed class SqliteClaimNextRaceTests(ITestOutputHelper output) : ClaimNextRaceTests(output)
{
    /// <inheritdoc />
    protected override RulesBackend Backend => RulesBackend.Sqlite;
}
