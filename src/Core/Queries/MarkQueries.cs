using TaskGraph.Core.Errors;
using TaskGraph.Core.Graph;
using TaskGraph.Core.Marks;
using TaskGraph.Core.ReadModels;
using TaskGraph.Core.Records;

namespace TaskGraph.Core.Queries;

/// <summary>File-mark reads. Paths are normalised against the graph's base directory, as marks are, never against the process's.</summary>
public sealed class MarkQueries
{
    private readonly ReadModel _reads;
    private readonly string _baseDirectory;

    internal MarkQueries(ReadModel reads, string baseDirectory)
    {
        _reads = reads;
        _baseDirectory = baseDirectory;
    }

    /// <summary>Marks on any of <paramref name="files"/>, held by <paramref name="agent"/>, made for <paramref name="taskId"/>; at least one filter.</summary>
    public IReadOnlyList<MarkRecord> List(IReadOnlyList<string> files, string? agent, string? taskId, QueryScope scope)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(scope);
        var paths = files.Select(f => MarkPaths.Normalise(Limits.Text(f, "files", Limits.PathLength)!, _baseDirectory, "files")).ToList();
        if (paths.Count == 0 && agent is null && taskId is null)
        {
            throw new TaskGraphException(ErrorCodes.InvalidFieldValue, "At least one filter is required: files, agent or task") { Field = "filter" };
        }

        return _reads.ListMarks(paths.Count == 0 ? null : paths, agent, taskId);
    }

    /// <summary>Every file mark and lock, from the read model.</summary>
    public IReadOnlyList<MarkRecord> All() => _reads.ListMarks(null, null, null);

    /// <summary>The worker holding a mark on <paramref name="file"/>, if anyone does.</summary>
    public string? HolderOf(string file) =>
        _reads.ListMarks([MarkPaths.Normalise(file, _baseDirectory)], null, null) is [var first, ..] ? first.Agent : null;
}
