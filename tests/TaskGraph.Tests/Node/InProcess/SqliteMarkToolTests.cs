namespace TaskGraph.Tests.Node.InProcess;

/// <summary>The mark tool suite on a SQLite file.</summary>
[Trait("Lane", "fast")]
public sealed class SqliteMarkToolTests : MarkToolTests
{
}
