namespace TaskGraph.Tests.Node.InProcess;

/// <summary>The attachment tool suite on a SQLite file.</summary>
[Trait("Lane", "fast")]
public sealed class SqliteAttachmentToolTests : AttachmentToolTests
{
}
