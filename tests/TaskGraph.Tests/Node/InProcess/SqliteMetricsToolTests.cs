namespace TaskGraph.Tests.Node.InProcess;

/// <summary>The metrics tool suite on a SQLite file.</summary>
[Trait("Lane", "fast")]
public sealed class SqliteMetricsToolTests : MetricsToolTests
{
}
