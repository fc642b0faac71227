namespace TaskGraph.Tests.Node.InProcess;

/// <summary>The query tool suite on a SQLite file.</summary>
[Trait("Lane", "fast")]
public sealed class SqliteQueryToolTests : QueryToolTests
{
}
