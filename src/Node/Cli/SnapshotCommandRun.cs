using TaskGraph.Bus.Connection;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Migration;
using TaskGraph.Core.Storage;
using TaskGraph.Node.Configuration;

namespace TaskGraph.Node.Cli;

/// <summary>
/// How export, import, diff and migrate end: every failure is one line on stderr (<c>taskgraph import: ...</c>), exit 2
/// for bad input or a refusal (nothing was written), 3 for a store that cannot be opened or reached, never a stack trace.
/// </summary>
internal static class SnapshotCommandRun
{
    /// <summary>Runs <paramref name="action"/> and turns its failures into one line and an exit code.</summary>
    public static async Task<int> RunAsync(string command, Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (ConfigException ex)
        {
            return StoreCommand.Fail(command, $"configuration error: {ex.Message}");
        }
        catch (SnapshotFormatException ex)
        {
            return StoreCommand.Fail(command, $"not a readable snapshot: {ex.Message}");
        }
        catch (ImportRefusedException ex)
        {
            return StoreCommand.Fail(command, ex.Message);
        }
        catch (TaskGraphException ex)
        {
            return StoreCommand.Fail(command, ex.Message);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            return StoreCommand.Fail(command, ex.Message.ReplaceLineEndings(" "));
        }
        catch (Exception ex) when (ex is NatsStartupException or StoreUnavailableException)
        {
            await Console.Error.WriteLineAsync($"taskgraph {command}: cannot reach the store: {ex.Message.ReplaceLineEndings(" ")}");
            return TaskGraphCli.StoreErrorExitCode;
        }
        catch (ConcurrencyConflictException ex)
        {
            await Console.Error.WriteLineAsync($"taskgraph {command}: the target changed while this ran (another writer?): {ex.Message.ReplaceLineEndings(" ")}");
            return 1;
        }
        catch (IOException ex)
        {
            await Console.Error.WriteLineAsync($"taskgraph {command}: {ex.Message.ReplaceLineEndings(" ")}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"taskgraph {command}: cancelled");
            return 1;
        }
#pragma warning disable CA1031 // The last resort: one line, never a stack trace, and a bug to report.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            await Console.Error.WriteLineAsync($"taskgraph {command}: internal error ({ex.GetType().Name}): {ex.Message.ReplaceLineEndings(" ")}");
            return 1;
        }
    }

    /// <summary>Progress on stderr, one line a second at most.</summary>
    public static IProgress<long> Progress(string command, string what)
    {
        var last = System.Diagnostics.Stopwatch.StartNew();
        return new SyncProgress(n =>
        {
            if (last.Elapsed >= TimeSpan.FromSeconds(1))
            {
                Console.Error.WriteLine($"taskgraph {command}: {n} {what}");
                last.Restart();
            }
        });
    }

    private sealed class SyncProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
