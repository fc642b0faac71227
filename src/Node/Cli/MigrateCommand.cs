using System.CommandLine;
using TaskGraph.Core.Migration;

namespace TaskGraph.Node.Cli;

/// <summary>
/// <c>taskgraph migrate --from LOCATION --to LOCATION [--force]</c>: copies a graph between stores (<c>sqlite:PATH</c>,
/// <c>nats:URL[#graph]</c>, either way) with its whole history, shows progress on stderr, resumes when run again after
/// an interruption, and ends by comparing the two (exit 1 when they differ).
/// </summary>
public static class MigrateCommand
{
    private static readonly Option<string> FromOption = new("--from") { Description = "The source store: sqlite:PATH or nats:URL[#graph]", Required = true };
    private static readonly Option<string> ToOption = new("--to") { Description = "The target store: sqlite:PATH or nats:URL[#graph]", Required = true };
    private static readonly Option<bool> ForceOption = new("--force") { Description = "Replace a target that is not empty (or start an interrupted migration over)" };

    /// <summary>The <c>migrate</c> command.</summary>
    public static Command Build()
    {
        var migrate = new Command("migrate", "Copy a graph between SQLite and NATS with its history; resumable; verified with diff at the end. Stop the nodes writing to the source first.");
        foreach (var option in new Option[] { FromOption, ToOption, ForceOption })
        {
            migrate.Options.Add(option);
        }

        migrate.SetAction((parse, cancellationToken) => SnapshotCommandRun.RunAsync("migrate", async () =>
        {
            await using var from = await GraphStore.OpenAsync(parse, parse.GetValue(FromOption)!, cancellationToken);
            await using var to = await GraphStore.OpenAsync(parse, parse.GetValue(ToOption)!, cancellationToken);
            if (from.Name == to.Name)
            {
                return StoreCommand.Fail("migrate", "--from and --to name the same store");
            }

            var migration = new GraphMigration(from.Records, from.Blobs, to.Records, to.Blobs, TimeProvider.System);
            var (copied, resumed, differences) = await migration.RunAsync(from.Name, to.Name, parse.GetValue(ForceOption), SnapshotCommandRun.Progress("migrate", "changes copied"), cancellationToken);
            if (differences.Count > 0)
            {
                await Console.Error.WriteLineAsync($"taskgraph migrate: copied, but the target differs from the source in {differences.Count} places (was the source written to meanwhile?): taskgraph diff {from.Name} {to.Name}");
                return 1;
            }

            await Console.Error.WriteLineAsync($"taskgraph migrate: {(resumed ? "resumed and " : string.Empty)}copied {copied} changes from {from.Name} to {to.Name}; verified: no differences");
            return 0;
        }));
        return migrate;
    }
}
