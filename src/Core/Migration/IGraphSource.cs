namespace TaskGraph.Core.Migration;

/// <summary>
/// A graph read as snapshot entries in commit order: a snapshot file (ours or task-graph-mcp's) or a live store. Import,
/// diff and migrate read every side through this, so a file and a store compare and copy alike.
/// </summary>
public interface IGraphSource
{
    /// <summary>What the source holds (a live store's is made up: its graph, now, with history).</summary>
    SnapshotHeader Header { get; }

    /// <summary>Names the source in messages (<c>sqlite:PATH</c>, <c>nats:URL#graph</c>, a file name).</summary>
    string Name { get; }

    /// <summary>Every entry, from the start; each call reads the source again.</summary>
    IAsyncEnumerable<SnapshotEntry> ReadAsync(CancellationToken cancellationToken);
}
