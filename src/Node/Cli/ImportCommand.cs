using System.CommandLine;
using System.Text.Json;
using TaskGraph.Core.Migration;

namespace TaskGraph.Node.Cli;

/// <summary>
/// <c>taskgraph import FILE [--force] [--merge] [--remap-ids] [--parent ID] [--dry-run]</c>: a snapshot (ours, or
/// task-graph-mcp's schema 3; gzip by its magic bytes) into the graph the root options name. The whole file is read and
/// checked before anything is written, so a truncated or foreign file leaves the target as it was.
/// </summary>
public static class ImportCommand
{
    private static readonly Argument<string> FileArgument = new("FILE") { Description = "The snapshot (taskgraph export, or a task-graph-mcp export)" };
    private static readonly Option<bool> ForceOption = new("--force") { Description = "Replace a graph that is not empty (its records are deleted first)" };
    private static readonly Option<bool> MergeOption = new("--merge") { Description = "Add to the graph: skip every task, mark, attachment and edge it already has" };
    private static readonly Option<bool> RemapOption = new("--remap-ids") { Description = "Give every imported task a fresh id; every reference to it is rewritten" };
    private static readonly Option<string?> ParentOption = new("--parent") { Description = "Attach the snapshot's root tasks under this existing task (implies --merge)" };
    private static readonly Option<bool> DryRunOption = new("--dry-run") { Description = "Print what would be inserted, skipped and deleted; write nothing" };

    /// <summary>The <c>import</c> command.</summary>
    public static Command Build()
    {
        var import = new Command("import", "Load a snapshot into the graph (replace by default; --merge, --remap-ids, --parent, --dry-run).");
        import.Arguments.Add(FileArgument);
        foreach (var option in new Option[] { ForceOption, MergeOption, RemapOption, ParentOption, DryRunOption })
        {
            import.Options.Add(option);
        }

        import.SetAction((parse, cancellationToken) => SnapshotCommandRun.RunAsync("import", async () =>
        {
            var file = parse.GetValue(FileArgument)!;
            var source = await OpenSnapshotAsync(file, cancellationToken);
            await using var store = await GraphStore.OpenAsync(parse, cancellationToken);
            var ids = store.Config.Config.Ids;
            var options = new ImportOptions
            {
                Force = parse.GetValue(ForceOption),
                Merge = parse.GetValue(MergeOption),
                RemapIds = parse.GetValue(RemapOption),
                Parent = parse.GetValue(ParentOption),
                DryRun = parse.GetValue(DryRunOption),
                IdWords = Math.Max(3, ids.TaskIdWords),
                IdCase = ids.IdCase,
                Progress = SnapshotCommandRun.Progress("import", "changes"),
            };
            var report = await new GraphImporter(store.Records, store.Blobs, store.DependencyTypes, TimeProvider.System).ImportAsync(source, options, cancellationToken);
            await Console.Out.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["dry_run"] = report.DryRun,
                ["mode"] = report.Mode,
                [report.DryRun ? "would_insert" : "inserted"] = report.Inserted,
                [report.DryRun ? "would_skip" : "skipped"] = report.Skipped,
                [report.DryRun ? "would_delete" : "deleted"] = report.Deleted,
                ["changes"] = report.Changes,
                ["blobs"] = report.Blobs,
                ["target"] = store.Name,
                ["id_map"] = report.IdMap,
            }));
            return 0;
        }));
        return import;
    }

    /// <summary>Opens a snapshot file of either format and reads it through once, so a bad file fails before any write.</summary>
    internal static async Task<IGraphSource> OpenSnapshotAsync(string file, CancellationToken cancellationToken)
    {
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"no such file: {file}");
        }

        if (SnapshotFormat.IsTaskGraphMcp(file))
        {
            return TaskGraphMcpFileSource.Open(file);
        }

        var snapshot = await SnapshotFileSource.OpenAsync(file, cancellationToken);
        await snapshot.ValidateAsync(cancellationToken);
        return snapshot;
    }
}
