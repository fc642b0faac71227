namespace TaskGraph.Tests.Rules.Claims;

/// <summary>The claim races on several store instances over one SQLite file.</summary>
[Trait("Lane", "fast")]
public sealed class SqliteClaimRaceTests : ClaimRaceTests
{
    /// <inheritdoc />
    protected override RulesBackend Backend => RulesBackend.Sqlite;
}
