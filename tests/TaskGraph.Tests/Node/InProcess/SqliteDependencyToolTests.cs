namespace TaskGraph.Tests.Node.InProcess;

/// <summary>The dependency tool suite on a SQLite file.</summary>
[Trait("Lane", "fast")]
public sealed class SqliteDependencyToolTests : DependencyToolTests
{
}
