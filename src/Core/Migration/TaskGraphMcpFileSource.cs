using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace TaskGraph.Core.Migration;

/// <summary>
/// A task-graph-mcp export (schema version 3, one JSON document; <see cref="TaskGraphMcpSnapshot"/>) read as our entries.
/// The document is parsed and converted once when opened, so a file it cannot read fails before anything is written.
/// </summary>
public sealed class TaskGraphMcpFileSource : IGraphSource
{
    private readonly IReadOnlyList<SnapshotEntry> _entries;

    private TaskGraphMcpFileSource(string name, IReadOnlyList<SnapshotEntry> entries, string exportedAt)
    {
        Name = name;
        _entries = entries;
        Header = new SnapshotHeader(SnapshotFormat.Version, "default", exportedAt, History: true, Workers: false);
    }

    /// <inheritdoc />
    public SnapshotHeader Header { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Reads and converts the file; throws <see cref="SnapshotFormatException"/> when it is not a schema-3 export.</summary>
    public static TaskGraphMcpFileSource Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var doc = SnapshotFormat.ReadDocument(path);
        var root = doc.RootElement;
        var exportedAt = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("exported_at", out var at) && at.ValueKind == JsonValueKind.String
            ? at.GetString()!
            : DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        var entries = TaskGraphMcpSnapshot.Read(root, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).ToList();
        return new TaskGraphMcpFileSource(Path.GetFileName(path), entries, exportedAt);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<SnapshotEntry> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var entry in _entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return entry;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
