using System.CommandLine;
using System.IO.Compression;
using TaskGraph.Core.Migration;

namespace TaskGraph.Node.Cli;

/// <summary>
/// <c>taskgraph export [--out FILE] [--history] [--workers] [--gzip]</c>: the graph the root options name, as a snapshot
/// (<see cref="SnapshotFormat"/>) on stdout or in FILE, streamed.
/// </summary>
public static class ExportCommand
{
    private static readonly Option<string?> OutOption = new("--out", "-o") { Description = "Write the snapshot here (default stdout); a name ending .gz is gzipped" };
    private static readonly Option<bool> HistoryOption = new("--history") { Description = "Every change in commit order (history, times and actors kept), not only the current records" };
    private static readonly Option<bool> WorkersOption = new("--workers") { Description = "Include worker records (registrations, claims)" };
    private static readonly Option<bool> GzipOption = new("--gzip") { Description = "Gzip the snapshot" };

    /// <summary>The <c>export</c> command.</summary>
    public static Command Build()
    {
        var export = new Command("export", "Write the graph as a snapshot (JSON Lines: tasks, edges, marks, attachments with their blobs; --history for every change).");
        foreach (var option in new Option[] { OutOption, HistoryOption, WorkersOption, GzipOption })
        {
            export.Options.Add(option);
        }

        export.SetAction((parse, cancellationToken) => SnapshotCommandRun.RunAsync("export", async () =>
        {
            await using var store = await GraphStore.OpenAsync(parse, cancellationToken);
            var source = new StoreGraphSource(store.Records, store.Blobs, store.Name, store.Graph, parse.GetValue(HistoryOption), parse.GetValue(WorkersOption), TimeProvider.System);
            var path = parse.GetValue(OutOption);
            var (records, blobs) = await WriteAsync(source, path, parse.GetValue(GzipOption) || (path?.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ?? false), cancellationToken);
            if (source.MissingBlobs > 0)
            {
                await Console.Error.WriteLineAsync($"taskgraph export: warning: {source.MissingBlobs} blobs named by attachments are not in {store.Blobs.Location} (server.media_dir, relative to this directory); their attachments are exported without content");
            }

            if (path is not null)
            {
                await Console.Error.WriteLineAsync($"taskgraph export: {records} records and {blobs} blobs of {store.Name} to {path}");
            }

            return 0;
        }));
        return export;
    }

    /// <summary>Writes <paramref name="source"/> to <paramref name="path"/> (stdout when null); a file is written beside and moved into place when whole.</summary>
    internal static async Task<(long Records, long Blobs)> WriteAsync(IGraphSource source, string? path, bool gzip, CancellationToken cancellationToken)
    {
        var partial = path is null ? null : path + ".partial";
        Stream output = partial is null ? Console.OpenStandardOutput() : new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        if (gzip)
        {
            output = new GZipStream(output, CompressionLevel.Fastest);
        }

        long records;
        long blobs;
        try
        {
            await using var writer = new SnapshotWriter(output, source.Header);
            await foreach (var entry in source.ReadAsync(cancellationToken))
            {
                await writer.WriteAsync(entry, cancellationToken);
            }

            await writer.EndAsync(cancellationToken);
            (records, blobs) = (writer.Records, writer.Blobs);
        }
        catch
        {
            if (partial is not null)
            {
                File.Delete(partial);
            }

            throw;
        }

        if (partial is not null)
        {
            File.Move(partial, path!, overwrite: true);
        }

        return (records, blobs);
    }
}
