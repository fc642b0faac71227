namespace TaskGraph.Tests.Node.InProcess;

/// <summary>The transition tool suite on a SQLite file.</summary>
[Trait("Lane", "fast")]
public sealed class SqliteTransitionToolTests : TransitionToolTests
{
}
